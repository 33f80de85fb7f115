/* SPDX-License-Identifier: MIT */
/*
 * Names of enum values, errno values and signals, as the JSON and the
 * human text spell them.
 */
#include "internal.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

HCTX_EXPORT const char *hostctx_errno_name(int errnum)
{
	return strerrorname_np(errnum);
}

/*
 * sigabbrev_np() gives "KILL"; the sidecar wants "SIGKILL".  The names
 * are built once into a static table so that the returned pointers stay
 * valid for the life of the process and callers need not free them.
 */
static char signal_names[_NSIG][32];
static pthread_once_t signal_names_once = PTHREAD_ONCE_INIT;

static void build_signal_names(void)
{
	for (int sig = 1; sig < _NSIG; sig++) {
		const char *abbrev = sigabbrev_np(sig);

		if (abbrev)
			snprintf(signal_names[sig], sizeof(signal_names[sig]),
				 "SIG%s", abbrev);
		else if (sig >= SIGRTMIN && sig <= SIGRTMAX)
			snprintf(signal_names[sig], sizeof(signal_names[sig]),
				 "SIGRTMIN+%u", (unsigned char)(sig - SIGRTMIN));
	}
}

HCTX_EXPORT const char *hostctx_signal_name(int sig)
{
	if (sig <= 0 || sig >= _NSIG)
		return NULL;
	pthread_once(&signal_names_once, build_signal_names);
	return signal_names[sig][0] ? signal_names[sig] : NULL;
}
