/* SPDX-License-Identifier: MIT */
/*
 * switch_floor.c - the bare context-switch floor: two fibers ping-ponging
 * with the core's as__fiber_switch and nothing else (no scheduler, no run
 * queue), and, on x86-64, the same with a jmp-resumed switch
 * (switch_jmp_x86_64.S), the cheapest bare form.  The lower of the two is the
 * baseline the yield benchmark is compared with.
 *
 *   switch_floor [round_trips]     (default 10000000)
 *
 * Linked against the static archive (the symbols are internal and hidden in
 * the shared stub).  One round trip is two switches: main -> peer -> main.
 * Prints one key=value line.
 */
#include <sys/mman.h>
#include "fiber.h"
#include "bench.h"

#define PEER_STACK (64 * 1024)

static struct as_fiber main_fiber, peer_fiber;
static int use_jmp;
#ifdef __x86_64__
void bench_ctx_switch_jmp(void **save_sp, void *load_sp);
#endif

/* Never returns: each round trip hands control straight back to main. */
static void peer_main(void *arg)
{
	(void)arg;
	for (;;) {
#ifdef __x86_64__
		if (use_jmp) {
			bench_ctx_switch_jmp(&peer_fiber.sp, main_fiber.sp);
			continue;
		}
#endif
		as__fiber_switch(&peer_fiber, &main_fiber);
	}
}

int main(int argc, char **argv)
{
	long n = bench_arg(argc, argv, 1, "round_trips", 10000000, 1, 10000000000LL);
	void *stack = mmap(NULL, PEER_STACK, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (stack == MAP_FAILED) {
		perror("switch_floor: mmap");
		return 1;
	}
	as__fiber_init_thread(&main_fiber);
	as__fiber_make(&peer_fiber, stack, PEER_STACK, peer_main, NULL);

	for (int i = 0; i < 10000; i++) /* warm up */
		as__fiber_switch(&main_fiber, &peer_fiber);

	int64_t t0 = bench_now_ns();
	for (long i = 0; i < n; i++)
		as__fiber_switch(&main_fiber, &peer_fiber);
	int64_t t1 = bench_now_ns();
	double ret_ns = (double)(t1 - t0) / (2.0 * n), jmp_ns = 0;

#ifdef __x86_64__
	/* The peer waits inside as__fiber_switch; one more round trip moves it
	 * into the jmp loop, whose frames have the same layout. */
	use_jmp = 1;
	as__fiber_switch(&main_fiber, &peer_fiber);
	for (int i = 0; i < 10000; i++)
		bench_ctx_switch_jmp(&main_fiber.sp, peer_fiber.sp);
	int64_t t2 = bench_now_ns();
	for (long i = 0; i < n; i++)
		bench_ctx_switch_jmp(&main_fiber.sp, peer_fiber.sp);
	jmp_ns = (double)(bench_now_ns() - t2) / (2.0 * n);
#endif

	printf("bench=switch_floor round_trips=%ld ns_per_switch_ret=%.2f ns_per_switch_jmp=%.2f "
	       "ns_per_switch=%.2f\n", n, ret_ns, jmp_ns,
	       jmp_ns > 0 && jmp_ns < ret_ns ? jmp_ns : ret_ns);
	return 0;
}
