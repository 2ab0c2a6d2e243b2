/* SPDX-License-Identifier: MIT */
/*
 * ext_bufring.c - provided-buffer rings: a ring of equal buffers shared
 * with the kernel (IORING_REGISTER_PBUF_RING), from which a receive takes a
 * buffer only once data is there.  liburing 2.3 has no
 * io_uring_setup_buf_ring, so the ring memory is mapped and registered here.
 * The application borrows each filled buffer and gives it back, which puts
 * it at the ring's tail again.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "ext.h"

#define MAX_COUNT 32768u            /* the kernel's limit of ring entries */
#define MAX_SIZE (1ul << 30)

struct humboldt_bufring {
	struct as_uring *u;             /* the ring it is registered with */
	struct io_uring_buf_ring *ring; /* shared with the kernel */
	size_t ring_bytes;
	char *data;                     /* count buffers of size bytes */
	size_t data_bytes, size;
	unsigned count;
	uint16_t bgid;
	unsigned busy;                  /* receives in progress */
	unsigned borrowed;              /* buffers with the application */
	uint8_t lent[];                 /* per buffer: 1 while borrowed */
};

static int bgid_take(struct hb_ring_ext *x)
{
	for (unsigned i = 0; i < HB_BGIDS / 64; i++) {
		if (~x->bgid_used[i]) {
			unsigned bit = (unsigned)__builtin_ctzll(~x->bgid_used[i]);
			x->bgid_used[i] |= 1ull << bit;
			return (int)(i * 64 + bit);
		}
	}
	return -ENOSPC;
}

static void bgid_put(struct hb_ring_ext *x, unsigned bgid)
{
	x->bgid_used[bgid / 64] &= ~(1ull << (bgid % 64));
}

/* Puts buffer bid at the ring's tail.  The release store of the tail in
 * io_uring_buf_ring_advance makes the entry visible to the kernel before the
 * kernel can see the new tail. */
static void give_back(humboldt_bufring *br, unsigned bid)
{
	io_uring_buf_ring_add(br->ring, br->data + (size_t)bid * br->size, (unsigned)br->size,
			      (unsigned short)bid, io_uring_buf_ring_mask(br->count), 0);
	io_uring_buf_ring_advance(br->ring, 1);
}

static humboldt_bufring *bufring_create(unsigned count, size_t size, int *err)
{
	struct as_uring *u = hb__ext_ring(HUMBOLDT_BUFFER_RING);
	if (!u) {
		*err = -ENOTSUP;
		return NULL;
	}
	*err = -EINVAL;
	if (count == 0 || count > MAX_COUNT || (count & (count - 1)) || size == 0 ||
	    size > MAX_SIZE)
		return NULL;
	struct hb_ring_ext *x = hb__ring_ext(u);
	*err = -ENOMEM;
	if (!x)
		return NULL;
	humboldt_bufring *br = calloc(1, sizeof(*br) + count);
	if (!br)
		return NULL;
	br->u = u;
	br->count = count;
	br->size = size;
	int r = bgid_take(x);
	if (r < 0)
		goto out_free;
	br->bgid = (uint16_t)r;
	/* The ring must be page aligned: the kernel pins its pages. */
	br->ring_bytes = count * sizeof(struct io_uring_buf);
	br->ring = mmap(NULL, br->ring_bytes, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (br->ring == MAP_FAILED) {
		r = -ENOMEM;
		goto out_put_bgid;
	}
	br->data_bytes = (size_t)count * size;
	br->data = mmap(NULL, br->data_bytes, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (br->data == MAP_FAILED) {
		r = -ENOMEM;
		goto out_unmap_ring;
	}
	struct io_uring_buf_reg reg = {
		.ring_addr = (uint64_t)(uintptr_t)br->ring,
		.ring_entries = count,
		.bgid = br->bgid,
	};
	io_uring_buf_ring_init(br->ring);
	r = io_uring_register_buf_ring(&u->ring, &reg, 0);
	if (r < 0)
		goto out_unmap_data;
	for (unsigned i = 0; i < count; i++)
		io_uring_buf_ring_add(br->ring, br->data + (size_t)i * size, (unsigned)size,
				      (unsigned short)i, io_uring_buf_ring_mask(count), (int)i);
	io_uring_buf_ring_advance(br->ring, (int)count);
	return br;

out_unmap_data:
	munmap(br->data, br->data_bytes);
out_unmap_ring:
	munmap(br->ring, br->ring_bytes);
out_put_bgid:
	bgid_put(x, br->bgid);
out_free:
	free(br);
	*err = r;
	return NULL;
}

HB_EXPORT humboldt_bufring *humboldt_bufring_create(unsigned count, size_t size)
{
	int err;
	humboldt_bufring *br = bufring_create(count, size, &err);
	if (!br)
		errno = -err;
	return br;
}

static ssize_t bufring_recv(humboldt_bufring *br, int fd, int flags, void **buf)
{
	struct as_uring *u = br->u;
	for (;;) {
		struct uring_cb cb = { .on_cqe = hb__cqe_keep_flags };
		struct io_uring_sqe *sqe = hb__sqe(u);
		io_uring_prep_recv(sqe, fd, NULL, br->size, flags);
		sqe->flags |= IOSQE_BUFFER_SELECT;
		sqe->buf_group = br->bgid;
		hb__use_fixed(u, sqe, fd);
		br->busy++;
		int r = hb__submit_wait_cb(u, sqe, &cb, fd);
		br->busy--;
		if (cb.cqe_flags & IORING_CQE_F_BUFFER) {
			unsigned bid = cb.cqe_flags >> IORING_CQE_BUFFER_SHIFT;
			if (r > 0) {
				/* Also when cancelled but completed anyway: the
				 * data is the caller's. */
				br->lent[bid] = 1;
				br->borrowed++;
				*buf = br->data + (size_t)bid * br->size;
				return r;
			}
			give_back(br, bid); /* end of stream took one too */
		}
		if (r != -EAGAIN || (flags & MSG_DONTWAIT))
			return r;
		r = hb__ring_poll(u, fd, POLLIN);
		if (r < 0)
			return r;
	}
}

HB_EXPORT ssize_t humboldt_bufring_recv(humboldt_bufring *br, int fd, int flags, void **buf)
{
	if (!br || !buf)
		return as__ret(-EINVAL);
	if (hb__ring() != br->u)
		return as__ret(-EXDEV);
	*buf = NULL;
	AS_ENTER();
	return as__ret(bufring_recv(br, fd, flags, buf));
}

HB_EXPORT int humboldt_bufring_return(humboldt_bufring *br, void *buf)
{
	if (!br)
		return (int)as__ret(-EINVAL);
	if (hb__ring() != br->u)
		return (int)as__ret(-EXDEV);
	/* As integers: buf may point anywhere. */
	size_t off = (size_t)((uintptr_t)buf - (uintptr_t)br->data);
	if ((uintptr_t)buf < (uintptr_t)br->data || off >= br->data_bytes ||
	    !br->lent[off / br->size]) {
		as__say("humboldt_bufring_return: %p is not a borrowed buffer of this ring "
			"(returned twice?)", buf);
		return (int)as__ret(-EINVAL);
	}
	unsigned bid = (unsigned)(off / br->size);
	br->lent[bid] = 0;
	br->borrowed--;
	give_back(br, bid);
	return 0;
}

HB_EXPORT int humboldt_bufring_destroy(humboldt_bufring *br)
{
	if (!br)
		return (int)as__ret(-EINVAL);
	struct as_uring *u = hb__ring();
	if (u != br->u)
		return (int)as__ret(-EXDEV);
	if (br->busy || br->borrowed)
		return (int)as__ret(-EBUSY);
	io_uring_unregister_buf_ring(&u->ring, br->bgid);
	munmap(br->data, br->data_bytes);
	munmap(br->ring, br->ring_bytes);
	bgid_put(u->ext, br->bgid);
	free(br);
	return 0;
}
