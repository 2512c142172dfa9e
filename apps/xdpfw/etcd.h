/* apps/xdpfw/etcd.h — a small etcd v3 client for the fleet commands: the
 * JSON gateway (/v3/...) through libcurl, JSON through jansson. Unary calls
 * (range, put, txn, lease) block for at most the command timeout; a watch
 * is a stream polled by the caller's loop. Errors: 0 / -errno, and a
 * one-line reason in etcd->err. */
#ifndef XDPFW_ETCD_H
#define XDPFW_ETCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ETCD_MAX_EP 16

struct etcd_cfg {
	char *ep[ETCD_MAX_EP];		/* "http(s)://host:port", no trailing '/' */
	int nep;
	const char *cacert, *cert, *key_file;	/* TLS: CA bundle, client cert and key */
	const char *user, *password;	/* etcd auth (user may be "name:password") */
	const char *token;		/* a ready auth token instead of user/password */
	long dial_ms, cmd_ms;		/* connect timeout, whole-call timeout */
};

/* Splits a comma-separated endpoint list into CFG (adds to what is there).
 * -EINVAL with ERR set for anything but http:// or https:// URLs. */
int etcd_cfg_endpoints(struct etcd_cfg *cfg, const char *list, char *err, size_t errsz);
void etcd_cfg_free(struct etcd_cfg *cfg);

struct etcd {
	struct etcd_cfg cfg;
	int cur;			/* the endpoint that answered last */
	void *h;			/* CURL * for unary calls */
	char token[1024];
	char err[512];
};

struct etcd_kv {
	char *key;
	char *value;			/* NUL-terminated (values may hold NULs; vlen is exact) */
	size_t vlen;
	int64_t create_rev, mod_rev, version, lease;
};

struct etcd_event {
	bool deleted;
	struct etcd_kv kv;
};

/* S copied into BUF (cut to SZ; BUF may be S) with control bytes as '?',
 * and with ASCII every byte >= 0x7f too (valid UTF-8 whatever S held):
 * for what servers and etcdctl users wrote, on one line. Returns BUF. */
char *etcd_printable(char *buf, size_t sz, const char *s, bool ascii);

int etcd_open(struct etcd *e, const struct etcd_cfg *cfg);
void etcd_close(struct etcd *e);
void etcd_kv_free(struct etcd_kv *kv);

/* KEY's value; -ENOENT if it does not exist. *REV (may be NULL): the store's
 * revision the answer is from. */
int etcd_get(struct etcd *e, const char *key, struct etcd_kv *kv, int64_t *rev);
/* Every key under PREFIX (sorted by key); *KVS malloc'd. */
int etcd_list(struct etcd *e, const char *prefix, struct etcd_kv **kvs, size_t *n, int64_t *rev);
void etcd_kvs_free(struct etcd_kv *kvs, size_t n);
int etcd_put(struct etcd *e, const char *key, const void *val, size_t len, int64_t lease,
	     int64_t *rev);
/* Puts only if KEY's mod revision is IF_MOD (0: KEY must not exist), in
 * one transaction. -ESTALE if not, with *CUR_MOD = KEY's mod revision. */
int etcd_cas(struct etcd *e, const char *key, const void *val, size_t len, int64_t if_mod,
	     int64_t *rev, int64_t *cur_mod);

int etcd_lease_grant(struct etcd *e, long ttl, int64_t *id);
/* Renews lease ID; -ENOENT if it expired. */
int etcd_lease_keepalive(struct etcd *e, int64_t id, long *ttl);
int etcd_lease_revoke(struct etcd *e, int64_t id);

/* A watch on one key, streamed from the endpoint in use. */
struct etcd_watch {
	void *h, *m;			/* CURL *, CURLM * */
	void *hdrs;
	char *buf;
	size_t len, cap;
	bool created, ended;
	int64_t compact_rev;		/* set when etcd cancelled: history compacted */
	char *url;
	char *body;
};

int etcd_watch_start(struct etcd *e, struct etcd_watch *w, const char *key, int64_t start_rev);
/* Waits up to MS for events and hands each to CB (which returns 0 to go on).
 * 0: still watching; -EPIPE: the stream ended (reconnect); -ESTALE: the
 * start revision was compacted (re-read, then watch again); or CB's error. */
int etcd_watch_poll(struct etcd *e, struct etcd_watch *w, int ms,
		    int (*cb)(void *ctx, const struct etcd_event *ev), void *ctx);
void etcd_watch_stop(struct etcd_watch *w);

#endif
