/*
 * endpoints — the services' official URLs, each spelled once: what the API
 * clients use when their configuration names none, and what the store
 * reports as the default of settings base_url / auth_url (PROTOCOL.md). Only
 * local configuration may replace them, never the extension.
 * [engine, store]
 */
#ifndef TH_ENDPOINTS_H
#define TH_ENDPOINTS_H

/* TextUs Next. Its pages give paths without a host
 * (https://apidocs.next.textus.com/docs/messages/send/): the host is not documented; every
 * published client uses this one. */
#define ENDPOINT_TEXTUS_BASE_URL "https://next.textus.com"

/* Harvest v1 and v3, https://developers.greenhouse.io/harvest.html and
 * https://harvestdocs.greenhouse.io (the paths add /v1/... or /v3/...). */
#define ENDPOINT_GH_BASE_URL "https://harvest.greenhouse.io"

/* Harvest v3 tokens: POST <this>/token, https://harvestdocs.greenhouse.io/docs/authentication */
#define ENDPOINT_GH_AUTH_URL "https://auth.greenhouse.io"

#endif
