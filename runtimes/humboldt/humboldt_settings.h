/* SPDX-License-Identifier: MIT */
/*
 * humboldt_settings.h - humboldt's rows of the shim's settings table
 * (shim/settings.h includes this when built with AS_RUNTIME_SETTINGS_H).
 */
#ifndef HUMBOLDT_SETTINGS_H
#define HUMBOLDT_SETTINGS_H

#define AS_SETTINGS_RUNTIME(X)                                                          \
	X(ring_entries, unsigned, .name = "HUMBOLDT_RING_ENTRIES", .kind = AS_SET_NUMBER, \
	  .min = 8, .max = 32768, .dflt = 256, .dflt_doc = "256",                       \
	  .doc = "Submission queue entries per worker ring, rounded up to a power of two " \
	         "(the CQ gets 4x, at most 65536)")                                     \
	X(require_uring, unsigned, .name = "HUMBOLDT_REQUIRE_URING", .kind = AS_SET_NUMBER, \
	  .min = 0, .max = 1, .dflt = 0, .dflt_doc = "0",                               \
	  .doc = "1: exit with status 2 instead of falling back to epoll")              \
	X(registered_files, unsigned, .name = "HUMBOLDT_REGISTERED_FILES", .kind = AS_SET_NUMBER, \
	  .min = 1, .max = 32768, .dflt = 1024, .dflt_doc = "1024",                     \
	  .doc = "Slots of each worker's registered-file table (humboldt_file_register), " \
		 "at most the RLIMIT_NOFILE soft limit")                                \
	X(registered_buffers, unsigned, .name = "HUMBOLDT_REGISTERED_BUFFERS",          \
	  .kind = AS_SET_NUMBER, .min = 0, .max = 1, .dflt = 1, .dflt_doc = "1",        \
	  .doc = "0: humboldt_buffers_register never pins memory (plain buffers, as when " \
		 "ulimit -l is too small)")

#endif
