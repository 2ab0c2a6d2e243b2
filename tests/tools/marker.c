/* SPDX-License-Identifier: MIT */
/*
 * marker.c - a preload library that only marks that it was loaded: asrt run
 * must keep an LD_PRELOAD that was already set (after the runtime it adds).
 */
int asrt_test_marker = 1;
