/* SPDX-License-Identifier: MIT */
/*
 * net.c - name resolution, the TCP helpers and getrandom, written on top of
 * the runtime's own socket calls so every runtime shares them.
 */
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "core.h"

struct gai_job {
	struct as_job job;
	const char *node, *service;
	const struct addrinfo *hints;
	struct addrinfo *res;
	int rc;
	int err;
};

static void gai_run(struct as_job *job)
{
	struct gai_job *g = (struct gai_job *)job;
	g->rc = getaddrinfo(g->node, g->service, g->hints, &g->res);
	g->err = errno;
}

int as__getaddrinfo(const char *node, const char *svc, const struct addrinfo *hints,
		    struct addrinfo **res)
{
	if (!res) {
		errno = EINVAL;
		return EAI_SYSTEM;
	}
	/* Numeric addresses need no lookup: answer without the pool. */
	struct addrinfo h = hints ? *hints : (struct addrinfo){ .ai_family = AF_UNSPEC };
	h.ai_flags |= AI_NUMERICHOST;
	if (!(hints && (hints->ai_flags & AI_NUMERICHOST)) && getaddrinfo(node, svc, &h, res) == 0)
		return 0;
	if (hints && (hints->ai_flags & AI_NUMERICHOST))
		return getaddrinfo(node, svc, hints, res);
	if (!as__current())
		return getaddrinfo(node, svc, hints, res);

	/* getaddrinfo cannot be interrupted safely: on a deadline or cancel we
	 * wait for it, drop its answer and report ETIMEDOUT/ECANCELED. */
	struct gai_job g = { .job.run = gai_run, .job.fd = -1, .node = node, .service = svc, .hints = hints };
	int r = as__blocking_run(&g.job, false);
	if (r == 0 && g.job.interrupted) {
		if (g.rc == 0)
			freeaddrinfo(g.res);
		r = g.job.interrupted;
	}
	if (r < 0) {
		errno = -r;
		return EAI_SYSTEM;
	}
	if (g.rc == EAI_SYSTEM)
		errno = g.err;
	if (g.rc == 0)
		*res = g.res;
	return g.rc;
}

void as__freeaddrinfo(struct addrinfo *r)
{
	if (r)
		freeaddrinfo(r);
}

ssize_t as__getrandom(void *buf, size_t n)
{
	if (n > SSIZE_MAX)
		return as__ret(-EINVAL);
	size_t done = 0;
	while (done < n) {
		ssize_t r = getrandom((char *)buf + done, n - done, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		done += (size_t)r;
	}
	return (ssize_t)n;
}

/* getaddrinfo's answer as an errno: unknown names are ENOENT. */
static int resolve(const char *host, int port, bool passive, struct addrinfo **res)
{
	char svc[8];
	if (port < 0 || port > 65535)
		return -EINVAL;
	snprintf(svc, sizeof svc, "%d", port);
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0),
	};
	int rc = as__getaddrinfo(host, svc, &hints, res);
	switch (rc) {
	case 0: return 0;
	case EAI_SYSTEM: return -errno;
	case EAI_MEMORY: return -ENOMEM;
	case EAI_AGAIN: return -EAGAIN;
	default: return -ENOENT;
	}
}

int as__tcp_listen(const char *host, int port, int backlog)
{
	struct addrinfo *res;
	int r = resolve(host, port, true, &res);
	if (r < 0)
		return (int)as__ret(r);
	int err = EADDRNOTAVAIL;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = as__socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    listen(fd, backlog > 0 ? backlog : SOMAXCONN) == 0) {
			freeaddrinfo(res);
			return fd;
		}
		err = errno;
		close(fd);
	}
	freeaddrinfo(res);
	return (int)as__ret(-err);
}

int as__tcp_connect(const char *host, int port)
{
	struct addrinfo *res;
	int r = resolve(host, port, false, &res);
	if (r < 0)
		return (int)as__ret(r);
	int err = ECONNREFUSED;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		int fd = as__socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		if (as__connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			freeaddrinfo(res);
			return fd;
		}
		err = errno;
		as__close(fd);
		/* Our own deadline or cancel ends the attempt, not just this address. */
		if (as__check_interrupt() < 0)
			break;
	}
	freeaddrinfo(res);
	return (int)as__ret(-err);
}
