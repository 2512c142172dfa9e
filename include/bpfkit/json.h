/* bpfkit/json.h — a small streaming JSON writer for -j/--json output. */
#ifndef BPFKIT_JSON_H
#define BPFKIT_JSON_H

#include <stdbool.h>
#include <stdio.h>
#include <bpfkit/print.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfkit_json;

BPFKIT_API struct bpfkit_json *bpfkit_json__new(FILE *out, bool pretty);
BPFKIT_API void bpfkit_json__free(struct bpfkit_json *jw);	/* ends with a newline */
BPFKIT_API void bpfkit_json__key(struct bpfkit_json *jw, const char *key);
BPFKIT_API void bpfkit_json__begin_object(struct bpfkit_json *jw);
BPFKIT_API void bpfkit_json__end_object(struct bpfkit_json *jw);
BPFKIT_API void bpfkit_json__begin_array(struct bpfkit_json *jw);
BPFKIT_API void bpfkit_json__end_array(struct bpfkit_json *jw);
BPFKIT_API void bpfkit_json__string(struct bpfkit_json *jw, const char *s);
BPFKIT_API void bpfkit_json__stringf(struct bpfkit_json *jw, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
BPFKIT_API void bpfkit_json__uint(struct bpfkit_json *jw, unsigned long long v);
BPFKIT_API void bpfkit_json__int(struct bpfkit_json *jw, long long v);
BPFKIT_API void bpfkit_json__double(struct bpfkit_json *jw, double v);
BPFKIT_API void bpfkit_json__bool(struct bpfkit_json *jw, bool v);
BPFKIT_API void bpfkit_json__null(struct bpfkit_json *jw);

/* key + value shorthands */
#define bpfkit_json__kv_str(jw, k, v)  (bpfkit_json__key(jw, k), bpfkit_json__string(jw, v))
#define bpfkit_json__kv_uint(jw, k, v) (bpfkit_json__key(jw, k), bpfkit_json__uint(jw, v))
#define bpfkit_json__kv_int(jw, k, v)  (bpfkit_json__key(jw, k), bpfkit_json__int(jw, v))
#define bpfkit_json__kv_bool(jw, k, v) (bpfkit_json__key(jw, k), bpfkit_json__bool(jw, v))

#ifdef __cplusplus
}
#endif
#endif
