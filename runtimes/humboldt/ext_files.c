/* SPDX-License-Identifier: MIT */
/*
 * ext_files.c - registered files: each worker's ring gets a fixed-file
 * table on first use, and humboldt's I/O calls on an fd registered there
 * name its slot instead of the fd (hb__use_fixed), which saves the kernel
 * a file lookup and a reference count per operation.  The table holds its
 * own reference to the file, so async_std_close drops the fd from every
 * worker's table before it closes (as__reactor_close_fd): a registration
 * counts as a waiter on the fd, which makes close tell every worker.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "ext.h"
#include "settings.h"

/* A sparse table (every slot -1; 5.5) of HUMBOLDT_REGISTERED_FILES slots,
 * no more than RLIMIT_NOFILE allows (the kernel's limit for the table). */
static int table_create(struct as_uring *u, struct hb_ring_ext *x)
{
	unsigned size = as__settings()->registered_files;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < size)
		size = rl.rlim_cur ? (unsigned)rl.rlim_cur : 1;
	int *fds = malloc(size * sizeof(*fds));
	uint32_t *free_slots = malloc(size * sizeof(*free_slots));
	if (!fds || !free_slots) {
		free(fds);
		free(free_slots);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < size; i++) {
		fds[i] = -1;
		free_slots[i] = size - 1 - i; /* the lowest slots go first */
	}
	int r = io_uring_register_files(&u->ring, fds, size);
	free(fds);
	if (r < 0) {
		free(free_slots);
		return r;
	}
	x->files_size = size;
	x->files_free = free_slots;
	x->files_nfree = size;
	return 0;
}

/* Makes u->fixed_slot cover fd. */
static int map_grow(struct as_uring *u, int fd)
{
	unsigned cap = u->fixed_cap ? u->fixed_cap : 64;
	while (cap <= (unsigned)fd)
		cap *= 2;
	uint32_t *m = realloc(u->fixed_slot, cap * sizeof(*m));
	if (!m)
		return -ENOMEM;
	memset(m + u->fixed_cap, 0, (cap - u->fixed_cap) * sizeof(*m));
	u->fixed_slot = m;
	u->fixed_cap = cap;
	return 0;
}

static int file_register(struct as_uring *u, int fd)
{
	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	if ((unsigned)fd < u->fixed_cap && u->fixed_slot[fd])
		return 0;
	struct hb_ring_ext *x = hb__ring_ext(u);
	if (!x)
		return -ENOMEM;
	int r;
	if (!x->files_size && (r = table_create(u, x)) < 0)
		return r;
	if (!x->files_nfree)
		return -ENFILE;
	if ((unsigned)fd >= u->fixed_cap && (r = map_grow(u, fd)) < 0)
		return r;
	uint32_t slot = x->files_free[--x->files_nfree];
	r = io_uring_register_files_update(&u->ring, slot, &fd, 1);
	if (r < 0) {
		x->files_free[x->files_nfree++] = slot;
		return r;
	}
	u->fixed_slot[fd] = slot + 1;
	as__fd_waiting_add(fd, 1);
	return 0;
}

void hb__files_drop(struct as_uring *u, int fd)
{
	struct hb_ring_ext *x = u->ext;
	uint32_t slot = u->fixed_slot[fd] - 1;
	int none = -1;
	u->fixed_slot[fd] = 0;
	as__fd_waiting_add(fd, -1);
	/* Operations still in flight keep their own reference.  If the kernel
	 * cannot update (no memory), the slot stays out of use rather than be
	 * handed out while it may still hold the file. */
	if (io_uring_register_files_update(&u->ring, slot, &none, 1) >= 0)
		x->files_free[x->files_nfree++] = slot;
}

HB_EXPORT int humboldt_file_register(int fd)
{
	struct as_uring *u = hb__ext_ring(HUMBOLDT_REGISTERED_FILES);
	if (!u)
		return (int)as__ret(-ENOTSUP);
	return (int)as__ret(file_register(u, fd));
}

HB_EXPORT int humboldt_file_unregister(int fd)
{
	struct as_uring *u = hb__ext_ring(HUMBOLDT_REGISTERED_FILES);
	if (!u)
		return (int)as__ret(-ENOTSUP);
	if (fd < 0 || (unsigned)fd >= u->fixed_cap || !u->fixed_slot[fd])
		return (int)as__ret(-EINVAL);
	hb__files_drop(u, fd);
	return 0;
}
