/*
 * now — the two clocks every module reads, in milliseconds: a monotonic one
 * for timeouts, deadlines and elapsed times (immune to wall-clock jumps), and
 * the wall clock for instants that are stored, shared between processes or
 * shown (ms since 1970-01-01T00:00:00Z).
 * [core]
 */
#ifndef TH_NOW_H
#define TH_NOW_H

#include <stdint.h>

/* CLOCK_MONOTONIC in ms: only differences mean something. */
int64_t now_mono_ms(void);

/* CLOCK_REALTIME in ms since the epoch. */
int64_t now_wall_ms(void);

#endif
