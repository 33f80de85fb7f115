/* SPDX-License-Identifier: MIT */
/*
 * probe.c - what became of an incomplete record's process (docs/json-
 * format.md, "run.pid"): a record is incomplete while its process runs,
 * and for good when the process ended without its end being written (a
 * preloaded process that _exits, a killed wrapper).  Readers tell the
 * two apart by asking this host: the same boot (boot_id), and a process
 * with the pid and the start time the record holds, not a zombie.
 */
#include "internal.h"
#include "recording.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/*
 * This host's boot_id, trimmed, into buf.  Straight from /proc, like the
 * process table (recording.c): a record's process is asked of the live
 * host whatever --root a snapshot used, and a plain read-only open is
 * what the parsing sandbox of show and check allows.
 */
static int live_boot_id(char *buf, size_t cap)
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	do
		n = read(fd, buf, cap - 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

HCTX_EXPORT int hostctx_sidecar_probe(const struct hostctx_sidecar *sc,
				      enum hostctx_run_state *ret)
{
	const struct hostctx_snapshot *pre = hostctx_sidecar_snapshot(sc, HOSTCTX_PRE);
	const char *recorded_boot = NULL;
	unsigned long long start = 0;
	char boot[64], state = 0;
	int r;

	*ret = HOSTCTX_RUN_UNKNOWN;
	if (sc->complete || sc->pid <= 0 || !pre ||
	    hostctx_snapshot_get_string(pre, "boot_id", &recorded_boot) < 0)
		return 0;
	r = live_boot_id(boot, sizeof(boot));
	if (r < 0)
		return r == -ENOENT || r == -EACCES ? 0 : r;
	if (strcmp(boot, recorded_boot) != 0) {
		*ret = HOSTCTX_RUN_OTHER_BOOT;
		return 0;
	}
	r = hctx_process_start_time(sc->pid, &state, &start);
	if (r == -ENOENT || r == -ESRCH) {
		*ret = HOSTCTX_RUN_GONE;
		return 0;
	}
	if (r < 0)
		return r;
	/* another process with the pid, or ours ended and not reaped yet */
	*ret = start != sc->pid_start_ticks || state == 'Z' || state == 'X' ?
		       HOSTCTX_RUN_GONE : HOSTCTX_RUN_RUNNING;
	return 0;
}

int hctx_check_record_here(const struct hostctx_sidecar *sc, struct hostctx_check_report **ret)
{
	struct hostctx_check_config *cfg = NULL;
	enum hostctx_run_state state;
	int r = hostctx_check_config_new(&cfg);

	*ret = NULL;
	if (r < 0)
		return r;
	if (hostctx_sidecar_probe(sc, &state) == 0)
		hostctx_check_config_set_run_state(cfg, state);
	r = hostctx_check_sidecar(cfg, sc, ret);
	hostctx_check_config_free(cfg);
	return r == -ENODATA ? 0 : r;	/* no pre snapshot: nothing to check */
}
