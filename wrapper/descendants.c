/* SPDX-License-Identifier: MIT */
/*
 * descendants.c - count the processes still alive below the wrapper
 * when --wait-descendants gives up.  Only this rare path reads /proc.
 */
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_COUNTED 100000

struct pid_stack {
	pid_t *items;
	size_t n, cap;
};

static int push(struct pid_stack *s, pid_t pid)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		pid_t *items = realloc(s->items, cap * sizeof(*items));

		if (!items)
			return -ENOMEM;
		s->items = items;
		s->cap = cap;
	}
	s->items[s->n++] = pid;
	return 0;
}

/* Push the children of every thread of pid. */
static void push_children(struct pid_stack *s, pid_t pid)
{
	char path[64];
	struct dirent *de;
	DIR *tasks;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	tasks = opendir(path);
	if (!tasks)
		return;
	while ((de = readdir(tasks))) {
		FILE *f;
		int child;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.20s/children",
			 (int)pid, de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fscanf(f, "%d", &child) == 1)
			if (push(s, child) < 0)
				break;
		fclose(f);
	}
	closedir(tasks);
}

long long run_count_descendants(pid_t pid)
{
	struct pid_stack stack = { 0 };
	long long count = 0;

	push_children(&stack, pid);
	while (stack.n > 0 && count < MAX_COUNTED) {
		pid_t p = stack.items[--stack.n];

		count++;
		push_children(&stack, p);
	}
	free(stack.items);
	return count;
}
