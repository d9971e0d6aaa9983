/*
 * common — the few compiler idioms every module shares, spelled once:
 * TH_WUR (a result the caller must look at), TH_PRINTF (printf-style
 * argument checking), TH_ARRAY_SIZE and TH_EXPORT (the only symbols a
 * loadable module makes visible; see engine_api.h).
 * [core, engine, store]
 */
#ifndef TH_COMMON_H
#define TH_COMMON_H

#define TH_WUR             __attribute__((warn_unused_result))
#define TH_PRINTF(fmt, va) __attribute__((format(printf, fmt, va)))
#define TH_EXPORT          __attribute__((visibility("default")))

/* Elements of an array (never of a pointer: the division would be wrong silently). */
#define TH_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
