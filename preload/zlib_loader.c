/* SPDX-License-Identifier: MIT */
/*
 * zlib_loader.c - the four zlib calls of lib/read_kconfig.c, taken from
 * a libz.so.1 that is dlopen()ed on first use.
 *
 * A NEEDED entry would make every descendant of a preloaded process map
 * zlib on each exec (~60 us, measured); only the recorded process
 * inflates /proc/config.gz.  These definitions are hidden and the version
 * script exports nothing, so they interpose nobody's zlib: the program's
 * own calls still reach its own libz.  When libz.so.1 cannot be loaded,
 * inflateInit2_ fails and config_task_xacct reads "unknown".
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <zlib.h>

typedef int init_fn(z_streamp strm, int window_bits, const char *version,
		    int stream_size);
typedef int inflate_fn(z_streamp strm, int flush);
typedef int reset_fn(z_streamp strm);
typedef int end_fn(z_streamp strm);

static struct {
	init_fn *init;
	inflate_fn *inflate;
	reset_fn *reset;
	end_fn *end;
} z;

/* Once per process; the recorded process is the only caller. */
static bool zlib_load(void)
{
	void *lib;

	if (z.init)
		return true;
	lib = dlopen("libz.so.1", RTLD_LAZY | RTLD_LOCAL);
	if (!lib)
		return false;
	z.inflate = (inflate_fn *)dlsym(lib, "inflate");
	z.reset = (reset_fn *)dlsym(lib, "inflateReset");
	z.end = (end_fn *)dlsym(lib, "inflateEnd");
	if (!z.inflate || !z.reset || !z.end)
		return false;	/* the handle stays: dlclose in init is risky */
	z.init = (init_fn *)dlsym(lib, "inflateInit2_");
	return z.init != NULL;
}

int inflateInit2_(z_streamp strm, int window_bits, const char *version,
		  int stream_size)
{
	if (!zlib_load())
		return Z_VERSION_ERROR;
	return z.init(strm, window_bits, version, stream_size);
}

/* The three below are only reached after inflateInit2_ succeeded. */
int inflate(z_streamp strm, int flush)
{
	return z.inflate(strm, flush);
}

int inflateReset(z_streamp strm)
{
	return z.reset(strm);
}

int inflateEnd(z_streamp strm)
{
	return z.end(strm);
}
