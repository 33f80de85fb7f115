/* SPDX-License-Identifier: MIT */
/*
 * heap.c - post.heap_state of a preloaded program: the counters of the
 * allocator that serves its malloc (docs/libhostctx-preload.7).
 *
 * Which allocator serves malloc: the definition the program's calls
 * bind to.  dlsym(RTLD_DEFAULT, "malloc") names it, except in a non-PIE
 * executable that takes malloc's address (Debian's python3 and node):
 * there the executable's undefined malloc carries the address of its
 * PLT stub, the "canonical PLT entry" every function pointer compares
 * equal to, and dlsym returns that stub.  Calls through it go to the
 * first definition in the global scope after the executable, which is
 * then looked up object by object, in load order (the lookup order of
 * the initial global scope), each in its own handle and kept only when
 * it lies inside that object.
 */
#include "recorder.h"

#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OBJECTS 256

typedef int mallctl_fn(const char *name, void *oldp, size_t *oldlenp,
		       void *newp, size_t newlen);

/* ---- which object defines what ------------------------------------- */

struct object {
	const char *name;	/* "" for the executable */
	const ElfW(Phdr) *phdr;
	ElfW(Half) phnum;
	ElfW(Addr) base;
};

struct objects {
	size_t n;
	struct object o[MAX_OBJECTS];
};

static int collect(struct dl_phdr_info *info, size_t size, void *data)
{
	struct objects *objs = data;

	if (objs->n == MAX_OBJECTS)
		return 1;
	objs->o[objs->n++] = (struct object){
		.name = info->dlpi_name ? info->dlpi_name : "",
		.phdr = info->dlpi_phdr,
		.phnum = info->dlpi_phnum,
		.base = info->dlpi_addr,
	};
	return 0;
}

static bool object_holds(const struct object *obj, const void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	for (ElfW(Half) i = 0; i < obj->phnum; i++) {
		const ElfW(Phdr) *ph = &obj->phdr[i];
		uintptr_t lo = obj->base + ph->p_vaddr;

		if (ph->p_type == PT_LOAD && a >= lo && a < lo + ph->p_memsz)
			return true;
	}
	return false;
}

/* The executable really defines malloc (not only its PLT stub). */
static bool defined_by_executable(void *sym, const char *name)
{
	const ElfW(Sym) *entry = NULL;
	Dl_info info;

	if (!dladdr1(sym, &info, (void **)&entry, RTLD_DL_SYMENT) || !entry)
		return false;
	return info.dli_sname && strcmp(info.dli_sname, name) == 0 &&
	       entry->st_shndx != SHN_UNDEF && info.dli_saddr == sym;
}

/* The first definition of name after the executable, in load order. */
static void *first_definition_after(const struct objects *objs,
				    const char *name)
{
	for (size_t i = 1; i < objs->n; i++) {
		const struct object *obj = &objs->o[i];
		void *h, *sym;

		if (!obj->name[0])
			continue;	/* the vDSO */
		h = dlopen(obj->name, RTLD_LAZY | RTLD_NOLOAD);
		if (!h)
			continue;
		sym = dlsym(h, name);
		dlclose(h);
		if (sym && object_holds(obj, sym))
			return sym;
	}
	return NULL;
}

/*
 * The definition of name that the program's calls reach, and the
 * object (index into objs) holding it.
 */
static void *serving(const struct objects *objs, const char *name,
		     size_t *ret_obj)
{
	void *sym = dlsym(RTLD_DEFAULT, name);

	if (!sym)
		return NULL;
	if (objs->n > 0 && object_holds(&objs->o[0], sym) &&
	    !defined_by_executable(sym, name))
		sym = first_definition_after(objs, name);
	*ret_obj = objs->n;
	for (size_t i = 0; sym && i < objs->n; i++)
		if (object_holds(&objs->o[i], sym))
			*ret_obj = i;
	return sym;
}

/* glibc's own malloc, whoever else defines one (a handle lookup). */
static void *libc_malloc(void)
{
	void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
	void *sym;

	if (!libc)
		return NULL;
	sym = dlsym(libc, "malloc");
	dlclose(libc);
	return sym;
}

/* ---- the counters --------------------------------------------------- */

static void heap_set(struct hctx_heap_counter *field, uint64_t value)
{
	field->present = true;
	field->value = value;
}

static void jemalloc_size(mallctl_fn *mallctl, const char *name,
			  struct hctx_heap_counter *field)
{
	size_t v, len = sizeof(v);

	if (mallctl(name, &v, &len, NULL, 0) == 0 && len == sizeof(v))
		heap_set(field, v);
}

/* jemalloc's own counters; stats may be compiled out (fields stay absent). */
static void heap_from_jemalloc(mallctl_fn *mallctl, struct hctx_preload_heap *h)
{
	uint64_t epoch = 1;
	size_t len = sizeof(epoch);
	unsigned narenas;
	size_t nlen = sizeof(narenas);

	/* Advancing the epoch refreshes the cached statistics. */
	mallctl("epoch", &epoch, &len, &epoch, sizeof(epoch));
	jemalloc_size(mallctl, "stats.active", &h->active_bytes);
	jemalloc_size(mallctl, "stats.allocated", &h->allocated_bytes);
	jemalloc_size(mallctl, "stats.resident", &h->resident_bytes);
	jemalloc_size(mallctl, "stats.mapped", &h->mapped_bytes);
	if (mallctl("arenas.narenas", &narenas, &nlen, NULL, 0) == 0 &&
	    nlen == sizeof(narenas))
		heap_set(&h->narenas, narenas);
}

/*
 * glibc's mallinfo2 summed over all arenas.  allocated_bytes: bytes the
 * program holds (uordblks, plus hblkhd: large blocks glibc serves with
 * mmap and does not count in uordblks); mapped_bytes: bytes glibc got
 * from the kernel for the heap (arena, plus the same hblkhd).  glibc
 * has no counters for active, resident or the number of arenas: absent.
 */
static void heap_from_glibc(struct hctx_preload_heap *h)
{
	struct mallinfo2 mi = mallinfo2();

	heap_set(&h->allocated_bytes, (uint64_t)mi.uordblks + mi.hblkhd);
	heap_set(&h->mapped_bytes, (uint64_t)mi.arena + mi.hblkhd);
}

/*
 * glibc's counters when the serving malloc is libc's own; jemalloc's
 * (preloaded, linked, or in the executable) when the object defining
 * it also defines the mallctl calls reach; any other allocator: NULL.
 * dlsym is safe here: exit time, not init.
 */
struct hctx_preload_heap *hctx_preload_heap_collect(void)
{
	static struct objects objs;	/* the exit hook may run on a small stack */
	size_t malloc_obj, mallctl_obj;
	struct hctx_preload_heap *h;
	void *malloc_now, *mallctl;

	objs.n = 0;
	dl_iterate_phdr(collect, &objs);
	malloc_now = serving(&objs, "malloc", &malloc_obj);
	if (!malloc_now)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	if (malloc_now == libc_malloc()) {
		heap_from_glibc(h);
	} else {
		mallctl = serving(&objs, "mallctl", &mallctl_obj);
		if (mallctl && mallctl_obj == malloc_obj)
			heap_from_jemalloc((mallctl_fn *)mallctl, h);
	}
	if (!h->allocated_bytes.present && !h->mapped_bytes.present) {
		free(h);
		return NULL;
	}
	return h;
}

void hctx_preload_heap_into(struct hostctx_snapshot *post,
			    const struct hctx_preload_heap *h)
{
	const struct {
		const char *path;
		const struct hctx_heap_counter *c;
	} members[] = {
		{ "heap_state.active_bytes", &h->active_bytes },
		{ "heap_state.allocated_bytes", &h->allocated_bytes },
		{ "heap_state.resident_bytes", &h->resident_bytes },
		{ "heap_state.mapped_bytes", &h->mapped_bytes },
		{ "heap_state.narenas", &h->narenas },
	};

	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		if (members[i].c->present)
			(void)hostctx_snapshot_set_u64(post, members[i].path,
						       members[i].c->value);
}
