/*
 * doctor_engine — the engine-side parts of `textus-host doctor`, called from
 * doctor_config.c (doctor_config_checks, which the engine's API table points
 * at; see engine_entry.h). Engine code only.
 * [engine]
 */
#ifndef TH_DOCTOR_ENGINE_H
#define TH_DOCTOR_ENGINE_H

#include "doctor.h"
#include "store.h"

/* TextUs token/account, Greenhouse credentials, user and permissions (doctor_online.c). */
void doctor_online_checks(struct doctor *d, const struct store *s);

/* The send journal: notes pending or stopped, unknown outcomes, Not Delivered texts
 * (doctor_outbox.c, with the send flow). */
void doctor_outbox_checks(struct doctor *d);

#endif
