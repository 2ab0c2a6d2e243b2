/* SPDX-License-Identifier: MIT */
/*
 * gcd_settings.h - gcd's rows of the shim's settings table (shim/settings.h
 * includes this when built with AS_RUNTIME_SETTINGS_H).
 */
#ifndef GCD_SETTINGS_H
#define GCD_SETTINGS_H

#define AS_SETTINGS_RUNTIME(X)                                                          \
	X(gcd_threads, unsigned, .name = "GCD_THREADS", .kind = AS_SET_NUMBER,          \
	  .min = 0, .max = 1024, .dflt = 0, .dflt_doc = "0",                            \
	  .doc = "gcd's worker threads; 0: ASYNC_STD_THREADS when gcd is the bound "     \
		 "runtime, half the online CPUs (at least 1) beside another runtime")

#endif
