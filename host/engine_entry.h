/*
 * engine_entry — the engine module's entry points: every function its API
 * table (engine_api.h, filled in engine_exports.c) points at, declared in one
 * place. Only engine code includes this; the executable reaches these
 * functions through the table, never by name.
 * [engine]
 */
#ifndef TH_ENGINE_ENTRY_H
#define TH_ENGINE_ENTRY_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "error.h"
#include "handler.h"

struct doctor;

/* Verbs (PROTOCOL.md): handler_<verb>.c. */
int handler_status(const struct handler_env *env, const cJSON *req, cJSON *result, struct err *e);
int handler_configure(const struct handler_env *env, const cJSON *req, cJSON *result,
                      struct err *e);
int handler_send_sms(const struct handler_env *env, const cJSON *req, cJSON *result, struct err *e);
int handler_flush_outbox(const struct handler_env *env, const cJSON *req, cJSON *result,
                         struct err *e);
int handler_message_status(const struct handler_env *env, const cJSON *req, cJSON *result,
                           struct err *e);
int handler_opt_out(const struct handler_env *env, const cJSON *req, cJSON *result, struct err *e);
int handler_import_contact(const struct handler_env *env, const cJSON *req, cJSON *result,
                           struct err *e);
int handler_conversation(const struct handler_env *env, const cJSON *req, cJSON *result,
                         struct err *e);
int handler_schedule_sms(const struct handler_env *env, const cJSON *req, cJSON *result,
                         struct err *e);
int handler_local_time(const struct handler_env *env, const cJSON *req, cJSON *result,
                       struct err *e);
int handler_saved_replies(const struct handler_env *env, const cJSON *req, cJSON *result,
                          struct err *e);
int handler_prepare_send(const struct handler_env *env, const cJSON *req, cJSON *result,
                         struct err *e);

int handler_bulk_send(const struct handler_env *env, const cJSON *req, cJSON *result,
                      struct err *e);
int handler_bulk_status(const struct handler_env *env, const cJSON *req, cJSON *result,
                        struct err *e);
int handler_bulk_cancel(const struct handler_env *env, const cJSON *req, cJSON *result,
                        struct err *e);
int handler_bulk_preview(const struct handler_env *env, const cJSON *req, cJSON *result,
                         struct err *e);
int handler_inbox(const struct handler_env *env, const cJSON *req, cJSON *result, struct err *e);

/* Commands: cli_<command>.c. */
int cli_cmd_inbox(int argc, char **argv);
int cli_cmd_configure(int argc, char **argv);
int cli_cmd_status(int argc, char **argv);
int cli_cmd_rekey(int argc, char **argv);
int cli_cmd_send(int argc, char **argv);
int cli_cmd_outbox(int argc, char **argv);
int cli_cmd_conversation(int argc, char **argv);
int cli_cmd_bulk(int argc, char **argv);

/* After the first reply of a process when the outbox's pending marker exists (send.c). */
void send_startup_flush(void);

/* The port's life cycle (send.c): between requests, and at the end of the process. */
int send_port_idle(int in_fd, int warm);
void send_port_close(void);

/* extract_phone's Greenhouse fallback, with the credentials from the store. */
int greenhouse_fallback_phones(const char *candidate_id, cJSON *out_numbers, struct err *e);

/* doctor: configuration checks (doctor_config.c), secrets blanked from a report's text
 * (doctor_config.c), recent messages for the support report (doctor_outbox.c). */
void doctor_config_checks(struct doctor *d, int online);
void doctor_scrub(char *text, size_t len);
cJSON *doctor_recent_messages(int limit, int online);

#endif
