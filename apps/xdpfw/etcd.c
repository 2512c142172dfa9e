/* apps/xdpfw/etcd.c — the etcd v3 client of the fleet commands. It speaks
 * etcd's JSON gateway (grpc-gateway, served on every client URL of etcd
 * >= 3.4 under /v3/): requests are JSON POSTs, keys and values base64,
 * 64-bit numbers decimal strings, fields equal to zero left out. libcurl
 * does HTTP/TLS, jansson the JSON. A call that cannot reach an endpoint
 * (refused, timed out, TLS failure) tries the next one; an answer from etcd
 * (even an error) ends the call. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <jansson.h>
#include "etcd.h"

#define MAX_BODY (256u << 20)	/* a range answer bigger than this is refused */

/* ---- base64 (etcd's JSON encoding of bytes; neither curl nor jansson export one) */

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_enc(const void *src, size_t n)
{
	const unsigned char *s = src;
	char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = s[i] << 16 | (i + 1 < n ? s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);

		*o++ = b64chars[v >> 18 & 63];
		*o++ = b64chars[v >> 12 & 63];
		*o++ = i + 1 < n ? b64chars[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? b64chars[v & 63] : '=';
	}
	*o = 0;
	return out;
}

static int b64_val(int c)
{
	const char *p = c ? strchr(b64chars, c) : NULL;

	return p ? (int)(p - b64chars) : -1;
}

/* Decodes S into a NUL-terminated buffer (*OUT, *LEN without the NUL). */
static int b64_dec(const char *s, char **out, size_t *len)
{
	size_t n = strlen(s), k = 0;
	unsigned acc = 0;
	int bits = 0;
	char *o;

	while (n && s[n - 1] == '=')
		n--;
	o = malloc(n * 3 / 4 + 1);
	if (!o)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int v = b64_val((unsigned char)s[i]);

		if (v < 0) {
			free(o);
			return -EPROTO;
		}
		acc = acc << 6 | v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			o[k++] = acc >> bits & 0xff;
		}
	}
	o[k] = 0;
	*out = o;
	*len = k;
	return 0;
}

/* ---- JSON helpers ------------------------------------------------------ */

/* The gateway writes int64 as strings, and leaves zero out. */
static int64_t jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	if (json_is_string(v))
		return strtoll(json_string_value(v), NULL, 10);
	if (json_is_integer(v))
		return json_integer_value(v);
	return 0;
}

static json_t *jnum(int64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", (long long)v);
	return json_string(s);
}

static json_t *jbytes(const void *p, size_t n)
{
	char *s = b64_enc(p, n);
	json_t *j = s ? json_string(s) : NULL;

	free(s);
	return j;
}

void etcd_kv_free(struct etcd_kv *kv)
{
	free(kv->key);
	free(kv->value);
	memset(kv, 0, sizeof(*kv));
}

void etcd_kvs_free(struct etcd_kv *kvs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		etcd_kv_free(&kvs[i]);
	free(kvs);
}

static int kv_from_json(json_t *j, struct etcd_kv *kv)
{
	const char *k = json_string_value(json_object_get(j, "key"));
	const char *v = json_string_value(json_object_get(j, "value"));
	size_t klen;
	int rc;

	memset(kv, 0, sizeof(*kv));
	rc = b64_dec(k ? k : "", &kv->key, &klen);
	if (!rc)
		rc = b64_dec(v ? v : "", &kv->value, &kv->vlen);
	if (rc) {
		etcd_kv_free(kv);
		return rc;
	}
	kv->create_rev = jint(j, "create_revision");
	kv->mod_rev = jint(j, "mod_revision");
	kv->version = jint(j, "version");
	kv->lease = jint(j, "lease");
	return 0;
}

/* ---- configuration ----------------------------------------------------- */

int etcd_cfg_endpoints(struct etcd_cfg *cfg, const char *list, char *err, size_t errsz)
{
	char *dup = strdup(list), *save = NULL, *tok;
	int rc = 0;

	if (!dup)
		return -ENOMEM;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t n = strlen(tok);

		if (strncmp(tok, "http://", 7) && strncmp(tok, "https://", 8)) {
			snprintf(err, errsz, "etcd endpoint '%s' is not an http:// or https:// URL", tok);
			rc = -EINVAL;
			break;
		}
		if (n <= (tok[4] == 's' ? 8u : 7u) || strpbrk(tok, " \t\r\n")) {
			snprintf(err, errsz, "etcd endpoint '%s' has no host", tok);
			rc = -EINVAL;
			break;
		}
		if (cfg->nep == ETCD_MAX_EP) {
			snprintf(err, errsz, "more than %d etcd endpoints", ETCD_MAX_EP);
			rc = -E2BIG;
			break;
		}
		while (n && tok[n - 1] == '/')
			tok[--n] = 0;
		cfg->ep[cfg->nep] = strdup(tok);
		if (!cfg->ep[cfg->nep]) {
			rc = -ENOMEM;
			break;
		}
		cfg->nep++;
	}
	if (!rc && !cfg->nep) {
		snprintf(err, errsz, "no etcd endpoint given");
		rc = -EINVAL;
	}
	free(dup);
	return rc;
}

void etcd_cfg_free(struct etcd_cfg *cfg)
{
	for (int i = 0; i < cfg->nep; i++)
		free(cfg->ep[i]);
	cfg->nep = 0;
}

/* ---- transport --------------------------------------------------------- */

struct buf {
	char *p;
	size_t len, cap;
};

static size_t on_data(char *d, size_t sz, size_t n, void *u)
{
	struct buf *b = u;
	size_t add = sz * n;

	if (b->len + add + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *np;

		while (cap < b->len + add + 1)
			cap *= 2;
		if (cap > MAX_BODY)
			return 0;	/* aborts the transfer */
		np = realloc(b->p, cap);
		if (!np)
			return 0;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, d, add);
	b->len += add;
	b->p[b->len] = 0;
	return add;
}

static void setup(struct etcd *e, CURL *h)
{
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, e->cfg.dial_ms);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	/* etcd is reached directly, as etcdctl does, whatever *_proxy says */
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	if (e->cfg.cacert)
		curl_easy_setopt(h, CURLOPT_CAINFO, e->cfg.cacert);
	if (e->cfg.cert)
		curl_easy_setopt(h, CURLOPT_SSLCERT, e->cfg.cert);
	if (e->cfg.key_file)
		curl_easy_setopt(h, CURLOPT_SSLKEY, e->cfg.key_file);
}

static struct curl_slist *headers(struct etcd *e)
{
	struct curl_slist *l = curl_slist_append(NULL, "Content-Type: application/json");

	if (l && e->token[0]) {
		char auth[sizeof(e->token) + 32];

		snprintf(auth, sizeof(auth), "Authorization: %s", e->token);
		l = curl_slist_append(l, auth);
	}
	return l;
}

static int curl_errno(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT: return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT: return -ETIMEDOUT;
	case CURLE_COULDNT_RESOLVE_HOST: return -EHOSTUNREACH;
	case CURLE_OUT_OF_MEMORY: return -ENOMEM;
	case CURLE_WRITE_ERROR: return -E2BIG;
	default: return -EIO;
	}
}

/* etcd's gRPC status code -> errno */
static int grpc_errno(int64_t code)
{
	switch (code) {
	case 3: return -EINVAL;		/* InvalidArgument (e.g. request too large) */
	case 4: return -ETIMEDOUT;	/* DeadlineExceeded */
	case 5: return -ENOENT;		/* NotFound (e.g. lease) */
	case 7: return -EPERM;		/* PermissionDenied */
	case 8: return -E2BIG;		/* ResourceExhausted */
	case 9: return -EBUSY;		/* FailedPrecondition */
	case 14: return -EAGAIN;	/* Unavailable (no leader...) */
	case 16: return -EACCES;	/* Unauthenticated */
	default: return -EPROTO;
	}
}

static int authenticate(struct etcd *e);

char *etcd_printable(char *buf, size_t sz, const char *s, bool ascii)
{
	if (buf != s)
		snprintf(buf, sz, "%s", s);
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f || (ascii && (unsigned char)*p >= 0x80))
			*p = '?';
	return buf;
}

/* e->err quotes what the server said: one line, no terminal escapes */
static void err_printable(struct etcd *e)
{
	etcd_printable(e->err, sizeof(e->err), e->err, false);
}

/* One POST of BODY to endpoint EP. *OTHER: worth trying another endpoint. */
static int call_one(struct etcd *e, int ep, const char *path, const char *body, json_t **out,
		    bool *other)
{
	struct curl_slist *hdrs = headers(e);
	struct buf b = { 0 };
	char url[1024], cerr[CURL_ERROR_SIZE] = "";
	json_error_t jerr;
	json_t *j;
	long code = 0;
	CURLcode c;
	int rc;

	*other = false;
	snprintf(url, sizeof(url), "%s%s", e->cfg.ep[ep], path);
	curl_easy_reset(e->h);
	setup(e, e->h);
	curl_easy_setopt(e->h, CURLOPT_URL, url);
	curl_easy_setopt(e->h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(e->h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e->h, CURLOPT_TIMEOUT_MS, e->cfg.cmd_ms);
	curl_easy_setopt(e->h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e->h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(e->h, CURLOPT_ERRORBUFFER, cerr);
	c = curl_easy_perform(e->h);
	curl_slist_free_all(hdrs);
	if (c != CURLE_OK) {
		snprintf(e->err, sizeof(e->err), "etcd %s: %s", e->cfg.ep[ep],
			 cerr[0] ? cerr : curl_easy_strerror(c));
		free(b.p);
		*other = c != CURLE_WRITE_ERROR;
		return curl_errno(c);
	}
	curl_easy_getinfo(e->h, CURLINFO_RESPONSE_CODE, &code);
	j = b.p ? json_loadb(b.p, b.len, 0, &jerr) : NULL;
	if (!json_is_object(j)) {
		/* etcd's own plain-text refusals (e.g. a client certificate with a
		 * CommonName once auth is on) are worth showing; an HTML page is not */
		bool text = b.p && b.len < 300 && !strchr(b.p, '<') && !strchr(b.p, '{');

		if (text)
			b.p[strcspn(b.p, "\r\n")] = 0;
		if (text && b.p[0])
			snprintf(e->err, sizeof(e->err), "etcd %s: HTTP %ld for %s: %s", e->cfg.ep[ep], code,
				 path, b.p);
		else
			snprintf(e->err, sizeof(e->err), "etcd %s: HTTP %ld for %s%s (is it an etcd >= 3.4 client URL?)",
				 e->cfg.ep[ep], code, path, j ? "" : ", not JSON");
		err_printable(e);
		json_decref(j);
		free(b.p);
		*other = true;
		return -EPROTO;
	}
	free(b.p);
	if (code != 200 || json_object_get(j, "error")) {
		const char *msg = json_string_value(json_object_get(j, "message"));

		if (!msg)
			msg = json_string_value(json_object_get(j, "error"));
		rc = grpc_errno(jint(j, "code"));
		snprintf(e->err, sizeof(e->err), "etcd %s: %s", e->cfg.ep[ep], msg ? msg : "error");
		err_printable(e);
		json_decref(j);
		*other = rc == -EAGAIN;
		return rc;
	}
	*out = j;
	return 0;
}

static int call_raw(struct etcd *e, const char *path, json_t *req, json_t **out)
{
	char *body = json_dumps(req, JSON_COMPACT);
	bool other = true;
	int rc = -ENOMEM;

	if (!body)
		return -ENOMEM;
	for (int t = 0; t < e->cfg.nep && other; t++) {
		int ep = (e->cur + t) % e->cfg.nep;

		rc = call_one(e, ep, path, body, out, &other);
		if (!rc) {
			e->cur = ep;
			break;
		}
	}
	free(body);
	return rc;
}

/* Takes REQ's reference. Authenticates first (and again once when the token
 * was refused: etcd drops tokens on restart) if a user is configured. */
static int call(struct etcd *e, const char *path, json_t *req, json_t **out)
{
	int rc;

	if (!req)
		return -ENOMEM;
	rc = e->cfg.user && !e->token[0] ? authenticate(e) : 0;
	if (!rc)
		rc = call_raw(e, path, req, out);
	if (rc == -EACCES && e->cfg.user && strstr(e->err, "token")) {
		e->token[0] = 0;
		rc = authenticate(e);
		if (!rc)
			rc = call_raw(e, path, req, out);
	}
	json_decref(req);
	return rc;
}

static int authenticate(struct etcd *e)
{
	char name[256];
	const char *pw = e->cfg.password, *colon = strchr(e->cfg.user, ':');
	json_t *req, *resp = NULL;
	const char *tok;
	int rc;

	snprintf(name, sizeof(name), "%.*s", colon ? (int)(colon - e->cfg.user) : 255, e->cfg.user);
	if (colon && !pw)
		pw = colon + 1;
	req = json_pack("{s:s,s:s}", "name", name, "password", pw ? pw : "");
	if (!req)
		return -ENOMEM;
	rc = call_raw(e, "/v3/auth/authenticate", req, &resp);
	json_decref(req);
	if (rc)
		return rc;
	tok = json_string_value(json_object_get(resp, "token"));
	if (!tok || strlen(tok) >= sizeof(e->token)) {
		snprintf(e->err, sizeof(e->err), "etcd: authentication answered no usable token");
		json_decref(resp);
		return -EPROTO;
	}
	strcpy(e->token, tok);
	json_decref(resp);
	return 0;
}

int etcd_open(struct etcd *e, const struct etcd_cfg *cfg)
{
	static bool inited;

	memset(e, 0, sizeof(*e));
	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT))
			return -ENOMEM;
		inited = true;
	}
	e->cfg = *cfg;
	if (!e->cfg.dial_ms)
		e->cfg.dial_ms = 2000;
	if (!e->cfg.cmd_ms)
		e->cfg.cmd_ms = 5000;
	if (cfg->token)
		snprintf(e->token, sizeof(e->token), "%s", cfg->token);
	e->h = curl_easy_init();
	return e->h ? 0 : -ENOMEM;
}

void etcd_close(struct etcd *e)
{
	if (e->h)
		curl_easy_cleanup(e->h);
	e->h = NULL;
}

/* ---- KV ---------------------------------------------------------------- */

int etcd_get(struct etcd *e, const char *key, struct etcd_kv *kv, int64_t *rev)
{
	json_t *resp = NULL, *kvs;
	int rc = call(e, "/v3/kv/range", json_pack("{s:o}", "key", jbytes(key, strlen(key))), &resp);

	if (rc)
		return rc;
	if (rev)
		*rev = jint(json_object_get(resp, "header"), "revision");
	kvs = json_object_get(resp, "kvs");
	if (!json_array_size(kvs)) {
		json_decref(resp);
		return -ENOENT;
	}
	rc = kv_from_json(json_array_get(kvs, 0), kv);
	if (rc)
		snprintf(e->err, sizeof(e->err), "etcd: key '%s' came back in bad base64", key);
	json_decref(resp);
	return rc;
}

int etcd_list(struct etcd *e, const char *prefix, struct etcd_kv **out, size_t *n, int64_t *rev)
{
	size_t plen = strlen(prefix);
	char *end = malloc(plen + 1);
	json_t *resp = NULL, *kvs;
	struct etcd_kv *v;
	int rc, i;

	*out = NULL;
	*n = 0;
	if (!end || !plen) {
		free(end);
		return -EINVAL;
	}
	/* range_end = the prefix with its last byte below 0xff incremented */
	memcpy(end, prefix, plen);
	for (i = plen - 1; i >= 0 && (unsigned char)end[i] == 0xff; i--)
		;
	if (i < 0) {
		free(end);
		return -EINVAL;	/* all 0xff: no key follows; not a prefix we make */
	}
	end[i]++;
	rc = call(e, "/v3/kv/range",
		  json_pack("{s:o,s:o,s:s,s:s}", "key", jbytes(prefix, plen), "range_end",
			    jbytes(end, i + 1), "sort_order", "ASCEND", "sort_target", "KEY"),
		  &resp);
	free(end);
	if (rc)
		return rc;
	if (rev)
		*rev = jint(json_object_get(resp, "header"), "revision");
	kvs = json_object_get(resp, "kvs");
	v = calloc(json_array_size(kvs) + 1, sizeof(*v));
	if (!v) {
		json_decref(resp);
		return -ENOMEM;
	}
	for (size_t k = 0; k < json_array_size(kvs); k++) {
		rc = kv_from_json(json_array_get(kvs, k), &v[*n]);
		if (rc) {
			snprintf(e->err, sizeof(e->err), "etcd: a key under '%s' came back in bad base64", prefix);
			goto fail;
		}
		(*n)++;
		/* callers take what follows the prefix: hold the server to it */
		if (strncmp(v[*n - 1].key, prefix, plen)) {
			char shown[81];

			snprintf(e->err, sizeof(e->err), "etcd %s answered key '%s' outside '%s'",
				 e->cfg.ep[e->cur], etcd_printable(shown, sizeof(shown), v[*n - 1].key, true),
				 prefix);
			rc = -EPROTO;
			goto fail;
		}
	}
	*out = v;
	json_decref(resp);
	return 0;
fail:
	etcd_kvs_free(v, *n);
	*n = 0;
	json_decref(resp);
	return rc;
}

int etcd_put(struct etcd *e, const char *key, const void *val, size_t len, int64_t lease,
	     int64_t *rev)
{
	json_t *req = json_pack("{s:o,s:o}", "key", jbytes(key, strlen(key)), "value", jbytes(val, len));
	json_t *resp = NULL;
	int rc;

	if (req && lease)
		json_object_set_new(req, "lease", jnum(lease));
	rc = call(e, "/v3/kv/put", req, &resp);
	if (rc)
		return rc;
	if (rev)
		*rev = jint(json_object_get(resp, "header"), "revision");
	json_decref(resp);
	return 0;
}

int etcd_cas(struct etcd *e, const char *key, const void *val, size_t len, int64_t if_mod,
	     int64_t *rev, int64_t *cur_mod)
{
	size_t klen = strlen(key);
	json_t *resp = NULL, *r;
	int rc;

	rc = call(e, "/v3/kv/txn",
		  json_pack("{s:[{s:o,s:s,s:s,s:o}],s:[{s:{s:o,s:o}}],s:[{s:{s:o,s:b}}]}",
			    "compare", "key", jbytes(key, klen), "target", "MOD", "result", "EQUAL",
			    "mod_revision", jnum(if_mod),
			    "success", "request_put", "key", jbytes(key, klen), "value", jbytes(val, len),
			    "failure", "request_range", "key", jbytes(key, klen), "keys_only", 1),
		  &resp);
	if (rc)
		return rc;
	if (rev)
		*rev = jint(json_object_get(resp, "header"), "revision");
	if (json_is_true(json_object_get(resp, "succeeded"))) {
		json_decref(resp);
		return 0;
	}
	r = json_object_get(json_array_get(json_object_get(resp, "responses"), 0), "response_range");
	if (cur_mod)
		*cur_mod = jint(json_array_get(json_object_get(r, "kvs"), 0), "mod_revision");
	json_decref(resp);
	return -ESTALE;
}

/* ---- leases ------------------------------------------------------------ */

int etcd_lease_grant(struct etcd *e, long ttl, int64_t *id)
{
	json_t *resp = NULL;
	int rc = call(e, "/v3/lease/grant", json_pack("{s:o}", "TTL", jnum(ttl)), &resp);

	if (rc)
		return rc;
	*id = jint(resp, "ID");
	json_decref(resp);
	if (!*id) {
		snprintf(e->err, sizeof(e->err), "etcd: lease grant answered no lease");
		return -EPROTO;
	}
	return 0;
}

/* The gateway serves the keep-alive stream for one request: one answer. */
int etcd_lease_keepalive(struct etcd *e, int64_t id, long *ttl)
{
	json_t *resp = NULL;
	int64_t t;
	int rc = call(e, "/v3/lease/keepalive", json_pack("{s:o}", "ID", jnum(id)), &resp);

	if (rc)
		return rc;
	t = jint(json_object_get(resp, "result"), "TTL");
	json_decref(resp);
	if (ttl)
		*ttl = t;
	if (t <= 0) {
		snprintf(e->err, sizeof(e->err), "etcd: lease %llx expired", (unsigned long long)id);
		return -ENOENT;
	}
	return 0;
}

int etcd_lease_revoke(struct etcd *e, int64_t id)
{
	json_t *resp = NULL;
	int rc = call(e, "/v3/lease/revoke", json_pack("{s:o}", "ID", jnum(id)), &resp);

	json_decref(resp);
	return rc;
}

/* ---- watch ------------------------------------------------------------- */

static size_t on_watch_data(char *d, size_t sz, size_t n, void *u)
{
	struct etcd_watch *w = u;
	struct buf b = { w->buf, w->len, w->cap };
	size_t r = on_data(d, sz, n, &b);

	w->buf = b.p;
	w->len = b.len;
	w->cap = b.cap;
	return r;
}

int etcd_watch_start(struct etcd *e, struct etcd_watch *w, const char *key, int64_t start_rev)
{
	json_t *req;
	char url[1024];

	memset(w, 0, sizeof(*w));
	req = json_pack("{s:{s:o,s:o}}", "create_request", "key", jbytes(key, strlen(key)),
			"start_revision", jnum(start_rev));
	w->body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	snprintf(url, sizeof(url), "%s/v3/watch", e->cfg.ep[e->cur]);
	w->url = strdup(url);
	w->h = curl_easy_init();
	w->m = curl_multi_init();
	w->hdrs = headers(e);
	if (!w->body || !w->url || !w->h || !w->m || !w->hdrs) {
		etcd_watch_stop(w);
		return -ENOMEM;
	}
	setup(e, w->h);
	curl_easy_setopt(w->h, CURLOPT_URL, w->url);
	curl_easy_setopt(w->h, CURLOPT_HTTPHEADER, (struct curl_slist *)w->hdrs);
	curl_easy_setopt(w->h, CURLOPT_POSTFIELDS, w->body);
	curl_easy_setopt(w->h, CURLOPT_WRITEFUNCTION, on_watch_data);
	curl_easy_setopt(w->h, CURLOPT_WRITEDATA, w);
	curl_multi_add_handle(w->m, w->h);
	return 0;
}

void etcd_watch_stop(struct etcd_watch *w)
{
	if (w->m && w->h)
		curl_multi_remove_handle(w->m, w->h);
	if (w->h)
		curl_easy_cleanup(w->h);
	if (w->m)
		curl_multi_cleanup(w->m);
	curl_slist_free_all(w->hdrs);
	free(w->buf);
	free(w->url);
	free(w->body);
	memset(w, 0, sizeof(*w));
}

/* One streamed message: {"result":{...}} or {"error":{...}}. */
static int watch_msg(struct etcd *e, struct etcd_watch *w, json_t *j,
		     int (*cb)(void *ctx, const struct etcd_event *ev), void *ctx)
{
	json_t *r = json_object_get(j, "result"), *evs, *err = json_object_get(j, "error");
	int rc = 0;

	if (!r) {
		json_t *src = json_is_object(err) ? err : j;
		const char *msg = json_string_value(json_object_get(src, "message"));
		int64_t code = jint(src, "grpc_code");

		if (!msg)
			msg = json_string_value(err);
		snprintf(e->err, sizeof(e->err), "etcd watch: %s", msg ? msg : "unexpected answer");
		err_printable(e);
		return grpc_errno(code ? code : jint(src, "code")) == -EACCES ? -EACCES : -EPIPE;
	}
	if (json_is_true(json_object_get(r, "created")))
		w->created = true;
	if (json_is_true(json_object_get(r, "canceled"))) {
		w->compact_rev = jint(r, "compact_revision");
		if (w->compact_rev) {
			snprintf(e->err, sizeof(e->err), "etcd watch: revisions up to %lld were compacted",
				 (long long)w->compact_rev);
			return -ESTALE;
		}
		const char *why = json_string_value(json_object_get(r, "cancel_reason"));

		snprintf(e->err, sizeof(e->err), "etcd watch cancelled%s%s", why ? ": " : "", why ? why : "");
		err_printable(e);
		return -EPIPE;
	}
	evs = json_object_get(r, "events");
	for (size_t i = 0; !rc && i < json_array_size(evs); i++) {
		json_t *ev = json_array_get(evs, i);
		const char *type = json_string_value(json_object_get(ev, "type"));
		struct etcd_event x = { .deleted = type && !strcmp(type, "DELETE") };

		if (kv_from_json(json_object_get(ev, "kv"), &x.kv)) {
			snprintf(e->err, sizeof(e->err), "etcd watch: an event came in bad base64");
			return -EPROTO;
		}
		rc = cb(ctx, &x);
		etcd_kv_free(&x.kv);
	}
	return rc;
}

/* Hands every complete message in the buffer to watch_msg. The gateway ends
 * each message with a newline, so a message is parsed once, when its line is
 * complete (an event carries the whole rule set: re-parsing a growing
 * prefix on every chunk would be quadratic); FINAL: the stream is over. */
static int watch_drain(struct etcd *e, struct etcd_watch *w,
		       int (*cb)(void *ctx, const struct etcd_event *ev), void *ctx, bool final)
{
	size_t off = 0;
	int rc = 0;

	while (!rc) {
		json_error_t jerr;
		json_t *j;

		while (off < w->len && strchr(" \t\r\n", w->buf[off]))
			off++;
		if (off >= w->len || (!final && !memchr(w->buf + off, '\n', w->len - off)))
			break;
		j = json_loadb(w->buf + off, w->len - off, JSON_DISABLE_EOF_CHECK, &jerr);
		if (!j) {
			if (json_error_code(&jerr) == json_error_premature_end_of_input)
				break;	/* the rest comes later */
			snprintf(e->err, sizeof(e->err), "etcd watch: bad JSON from %s: %s", w->url, jerr.text);
			rc = -EPROTO;
			break;
		}
		off += jerr.position;
		rc = watch_msg(e, w, j, cb, ctx);
		json_decref(j);
	}
	if (off) {
		memmove(w->buf, w->buf + off, w->len - off);
		w->len -= off;
	}
	return rc;
}

int etcd_watch_poll(struct etcd *e, struct etcd_watch *w, int ms,
		    int (*cb)(void *ctx, const struct etcd_event *ev), void *ctx)
{
	int running = 0, rc, left;
	CURLMsg *msg;

	if (w->ended)
		return -EPIPE;
	curl_multi_poll(w->m, NULL, 0, ms, NULL);
	curl_multi_perform(w->m, &running);
	rc = watch_drain(e, w, cb, ctx, !running);
	if (rc)
		return rc;
	if (running)
		return 0;
	w->ended = true;
	while ((msg = curl_multi_info_read(w->m, &left)))
		if (msg->msg == CURLMSG_DONE) {
			long code = 0;

			curl_easy_getinfo(w->h, CURLINFO_RESPONSE_CODE, &code);
			if (msg->data.result == CURLE_PARTIAL_FILE || msg->data.result == CURLE_RECV_ERROR)
				snprintf(e->err, sizeof(e->err), "etcd watch %s: connection closed", w->url);
			else if (msg->data.result != CURLE_OK)
				snprintf(e->err, sizeof(e->err), "etcd watch %s: %s", w->url,
					 curl_easy_strerror(msg->data.result));
			else
				snprintf(e->err, sizeof(e->err), "etcd watch %s: stream ended (HTTP %ld)",
					 w->url, code);
		}
	return -EPIPE;
}
