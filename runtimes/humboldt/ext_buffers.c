/* SPDX-License-Identifier: MIT */
/*
 * ext_buffers.c - registered buffers: the kernel pins them once, and reads
 * and writes into them (IORING_OP_READ_FIXED/WRITE_FIXED) skip mapping the
 * pages on every call.  Pinned pages count against RLIMIT_MEMLOCK; when the
 * kernel refuses them for that, the set degrades to plain buffers (same
 * calls, plain read/write) and one line says so, once per process.
 */
#include <limits.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "ext.h"
#include "settings.h"

#define MAX_BUFFERS 16384u          /* the kernel's IORING_MAX_REG_BUFFERS */
#define MAX_BUFFER_LEN (1ul << 30)  /* and its limit per buffer */

struct humboldt_buffers {
	struct as_uring *u;     /* the ring it is registered with */
	bool pinned;            /* false: degraded to plain buffers */
	unsigned busy;          /* reads and writes in progress */
	unsigned n;
	struct iovec iov[];
};

static atomic_flag degraded_said = ATOMIC_FLAG_INIT;

static void say_degraded(size_t bytes, int err)
{
	if (atomic_flag_test_and_set(&degraded_said))
		return;
	struct rlimit rl;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		as__say("humboldt: registered buffers: %s (%zu KiB to pin, ulimit -l is "
			"%llu KiB); using plain buffers", strerror(err), (bytes + 1023) >> 10,
			(unsigned long long)rl.rlim_cur >> 10);
	else
		as__say("humboldt: registered buffers: %s (%zu KiB to pin); using plain "
			"buffers", strerror(err), (bytes + 1023) >> 10);
}

static humboldt_buffers *buffers_register(const struct iovec *iov, unsigned n, int *err)
{
	struct as_uring *u = hb__ext_ring(HUMBOLDT_REGISTERED_BUFFERS);
	if (!u) {
		*err = -ENOTSUP;
		return NULL;
	}
	*err = -EINVAL;
	if (!iov || n == 0 || n > MAX_BUFFERS)
		return NULL;
	size_t bytes = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!iov[i].iov_base || iov[i].iov_len == 0 || iov[i].iov_len > MAX_BUFFER_LEN)
			return NULL;
		bytes += iov[i].iov_len;
	}
	struct hb_ring_ext *x = hb__ring_ext(u);
	*err = -ENOMEM;
	if (!x)
		return NULL;
	if (x->buffers) {
		*err = -EBUSY;
		return NULL;
	}
	humboldt_buffers *b = malloc(sizeof(*b) + n * sizeof(b->iov[0]));
	if (!b)
		return NULL;
	*b = (humboldt_buffers){ .u = u, .n = n };
	memcpy(b->iov, iov, n * sizeof(iov[0]));
	if (as__settings()->registered_buffers) {
		int r = io_uring_register_buffers(&u->ring, iov, n);
		if (r == 0) {
			b->pinned = true;
		} else if (r == -ENOMEM) {
			say_degraded(bytes, -r);
		} else {
			free(b);
			*err = r;
			return NULL;
		}
	}
	x->buffers = b;
	return b;
}

HB_EXPORT humboldt_buffers *humboldt_buffers_register(const struct iovec *iov, unsigned n)
{
	int err;
	humboldt_buffers *b = buffers_register(iov, n, &err);
	if (!b)
		errno = -err;
	return b;
}

HB_EXPORT int humboldt_buffers_pinned(const humboldt_buffers *b)
{
	if (!b)
		return (int)as__ret(-EINVAL);
	return b->pinned;
}

static ssize_t fixed_io(humboldt_buffers *b, unsigned index, int fd, void *buf, size_t n,
			off_t off, bool write)
{
	if (!b)
		return as__ret(-EINVAL);
	struct as_uring *u = hb__ring();
	if (u != b->u)
		return as__ret(-EXDEV);
	if (index >= b->n || off < -1 || !buf)
		return as__ret(-EINVAL);
	/* As integers: buf may point anywhere. */
	uintptr_t base = (uintptr_t)b->iov[index].iov_base, p = (uintptr_t)buf;
	size_t len = b->iov[index].iov_len;
	if (p < base || p - base > len || n > len - (p - base))
		return as__ret(-EINVAL);
	AS_ENTER();
	uint64_t pos = off == -1 ? (uint64_t)-1 : (uint64_t)off;
	int r;
	b->busy++;
	for (;;) {
		struct uring_op op;
		struct io_uring_sqe *sqe = hb__sqe(u);
		if (b->pinned && write)
			io_uring_prep_write_fixed(sqe, fd, buf, (unsigned)as__rw_len(n), pos, (int)index);
		else if (b->pinned)
			io_uring_prep_read_fixed(sqe, fd, buf, (unsigned)as__rw_len(n), pos, (int)index);
		else if (write)
			io_uring_prep_write(sqe, fd, buf, (unsigned)as__rw_len(n), pos);
		else
			io_uring_prep_read(sqe, fd, buf, (unsigned)as__rw_len(n), pos);
		hb__use_fixed(u, sqe, fd);
		r = hb__submit_wait(u, sqe, &op, fd);
		if (r != -EAGAIN)
			break;
		/* An O_NONBLOCK fd: wait until it is ready, then try again. */
		r = hb__ring_poll(u, fd, write ? POLLOUT : POLLIN);
		if (r < 0)
			break;
	}
	b->busy--;
	return as__ret(r);
}

HB_EXPORT ssize_t humboldt_buffers_read(humboldt_buffers *b, unsigned index, int fd, void *buf,
					size_t n, off_t off)
{
	return fixed_io(b, index, fd, buf, n, off, false);
}

HB_EXPORT ssize_t humboldt_buffers_write(humboldt_buffers *b, unsigned index, int fd,
					 const void *buf, size_t n, off_t off)
{
	return fixed_io(b, index, fd, (void *)buf, n, off, true);
}

HB_EXPORT int humboldt_buffers_unregister(humboldt_buffers *b)
{
	if (!b)
		return (int)as__ret(-EINVAL);
	struct as_uring *u = hb__ring();
	if (u != b->u)
		return (int)as__ret(-EXDEV);
	if (b->busy)
		return (int)as__ret(-EBUSY);
	if (b->pinned)
		io_uring_unregister_buffers(&u->ring);
	u->ext->buffers = NULL;
	free(b);
	return 0;
}
