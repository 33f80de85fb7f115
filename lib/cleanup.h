/* SPDX-License-Identifier: MIT */
/*
 * cleanup.h - scope-bound release (bubblewrap/systemd style), for the
 * library (through internal.h) and the programs in cli/.  Header only.
 */
#ifndef HOSTCTX_CLEANUP_H
#define HOSTCTX_CLEANUP_H

#include <stdlib.h>
#include <unistd.h>

static inline void hctx_freep(void *p)
{
	free(*(void **)p);
}
static inline void hctx_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}
#define _cleanup_free_ __attribute__((cleanup(hctx_freep)))
#define _cleanup_close_ __attribute__((cleanup(hctx_closep)))

/* Hand ownership out of a _cleanup_ variable. */
#define TAKE_PTR(p)                                                     \
	({                                                              \
		__typeof__(p) taken_ = (p);                             \
		(p) = NULL;                                             \
		taken_;                                                 \
	})
#define TAKE_FD(fd)                                                     \
	({                                                              \
		int taken_ = (fd);                                      \
		(fd) = -1;                                              \
		taken_;                                                 \
	})

#endif /* HOSTCTX_CLEANUP_H */
