/* SPDX-License-Identifier: MIT */
/* What the JSON writer and reader share. */
#include "internal.h"

#include <stddef.h>

/* The reference's JSON order of the heap block (its human order differs). */
const struct hctx_heap_json_row hctx_heap_json_rows[] = {
	{ "active_bytes", offsetof(struct hostctx_heap, active_bytes) },
	{ "allocated_bytes", offsetof(struct hostctx_heap, allocated_bytes) },
	{ "resident_bytes", offsetof(struct hostctx_heap, resident_bytes) },
	{ "mapped_bytes", offsetof(struct hostctx_heap, mapped_bytes) },
	{ "narenas", offsetof(struct hostctx_heap, narenas) },
};
const size_t hctx_n_heap_json_rows =
	sizeof(hctx_heap_json_rows) / sizeof(hctx_heap_json_rows[0]);

struct hostctx_u64 *hctx_heap_row(struct hostctx_heap *h, size_t i)
{
	return (struct hostctx_u64 *)((char *)h + hctx_heap_json_rows[i].offset);
}

/* run.rusage and run.rusage_children, in JSON order. */
const struct hctx_rusage_json_row hctx_rusage_json_rows[] = {
#define RU(field, secs) { #field, offsetof(struct hostctx_rusage, field), secs }
	RU(user_seconds, true),
	RU(system_seconds, true),
	RU(max_rss_kib, false),
	RU(minor_faults, false),
	RU(major_faults, false),
	RU(voluntary_context_switches, false),
	RU(involuntary_context_switches, false),
	RU(block_input_ops, false),
	RU(block_output_ops, false),
#undef RU
};
const size_t hctx_n_rusage_json_rows =
	sizeof(hctx_rusage_json_rows) / sizeof(hctx_rusage_json_rows[0]);
