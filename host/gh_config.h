/*
 * gh_config — where the Greenhouse client's configuration comes from outside a
 * caller that already has it: the credential store. This is the integration
 * seam between the API clients (greenhouse.c) and the store (store.c), which
 * were built on separate branches. Engine code.
 */
#ifndef TH_GH_CONFIG_H
#define TH_GH_CONFIG_H

#include "error.h"
#include "greenhouse.h"

/*
 * Fill *cfg (base/auth URLs, credentials, sign-in email, CA file, timeouts) from the
 * credential store; secrets in sodium_malloc'd memory owned by the seam until
 * gh_config_release. -1 with ERR_NOT_CONFIGURED (or a store error) otherwise.
 */
int gh_config_from_store(struct gh_config *cfg, struct err *e) __attribute__((warn_unused_result));

/* Wipe and free what gh_config_from_store allocated; safe on a zeroed cfg. */
void gh_config_release(struct gh_config *cfg);

#endif
