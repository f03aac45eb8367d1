/* attach.c - attachments on disk, served over HTTP (attach.h). */
#include "email/attach.h"
#include "email/attach_name.h"
#include "email/email.h"
#include "random.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SWEEP_MAX_S 3600

static int64_t now_s(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

static char *file_of(struct email *em, const char *token)
{
	return g_build_filename(em->attach_dir, token, NULL);
}

/* ---- serving ---------------------------------------------------------------- */

/* A row's value: "expiry\ttype\tsafe name". */
static bool row_parse(const char *v, int64_t *expires, char **type, char **safe)
{
	char **f = g_strsplit(v, "\t", 3);
	bool ok = f[0] && f[1] && f[2];
	if (ok) {
		*expires = g_ascii_strtoll(f[0], NULL, 10);
		*type = g_strdup(f[1]);
		*safe = g_strdup(f[2]);
	}
	g_strfreev(f);
	return ok;
}

static void forget(struct email *em, const char *token)
{
	char *path = file_of(em, token);
	if (unlink(path) != 0 && errno != ENOENT)
		log_msg(LOG_WARN, "email", "%s: cannot remove %s: %s", gw_domain(em->gw), path,
			g_strerror(errno));
	g_free(path);
	gw_row_delete(em->gw, EMAIL_ROW_ATTACH, token);
}

static void serve(struct gw *gw, const struct gw_http_req *req, struct gw_http_reply *out,
		  void *ud)
{
	struct email *em = gw_priv(gw);
	const char *token, *name;
	out->status = 404;
	out->body = "not found\n";
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
		out->status = 405;
		out->body = "method not allowed\n";
		return;
	}
	if (!attach_parse_path(req->path, &token, &name))
		return;
	char *tok = g_strndup(token, ATTACH_TOKEN_LEN), *value = NULL, *type = NULL, *safe = NULL;
	int64_t expires = 0;
	if (gw_row_get(gw, EMAIL_ROW_ATTACH, tok, &value) != GW_OK ||
	    !row_parse(value, &expires, &type, &safe) || strcmp(safe, name))
		goto out;
	if (expires <= now_s()) {
		forget(em, tok);
		out->status = 410;
		out->body = "this attachment is no longer kept\n";
		goto out;
	}
	g_free(em->serving);
	em->serving = file_of(em, tok);
	g_free(em->serving_type);
	em->serving_type = type;
	type = NULL;
	g_free(em->serving_disp);
	em->serving_disp = attach_disposition(safe);
	out->status = 200;
	out->body = NULL;
	out->file = em->serving;
	out->content_type = em->serving_type;
	out->disposition = em->serving_disp;
out:
	g_free(tok);
	g_free(value);
	g_free(type);
	g_free(safe);
}

/* ---- the sweep ---------------------------------------------------------------- */

static bool sweep_row(const char *key, const char *value, int64_t created, void *ud)
{
	struct email *em = ud;
	int64_t expires = 0;
	char *type = NULL, *safe = NULL;
	if (!row_parse(value, &expires, &type, &safe) || expires <= now_s())
		g_ptr_array_add(em->attach_expired, g_strdup(key));
	g_free(type);
	g_free(safe);
	return true;
}

/* Files with no row (a crash between the write and the commit, a
 * temporary file) once they are older than the retention. */
static void sweep_orphans(struct email *em)
{
	GDir *d = g_dir_open(em->attach_dir, 0, NULL);
	const char *n;
	while (d && (n = g_dir_read_name(d)) != NULL) {
		char *path = g_build_filename(em->attach_dir, n, NULL), *v = NULL;
		struct stat sb;
		bool old = stat(path, &sb) == 0 && sb.st_mtime + em->attach_retention_s <= now_s();
		if (old && gw_row_get(em->gw, EMAIL_ROW_ATTACH, n, &v) != GW_OK) {
			log_msg(LOG_INFO, "email", "%s: removing %s: kept by no delivery",
				gw_domain(em->gw), path);
			unlink(path);
		}
		g_free(v);
		g_free(path);
	}
	if (d)
		g_dir_close(d);
}

void email_attach_sweep(struct email *em)
{
	em->attach_expired = g_ptr_array_new_with_free_func(g_free);
	gw_row_foreach(em->gw, EMAIL_ROW_ATTACH, sweep_row, em);
	for (guint i = 0; i < em->attach_expired->len; i++)
		forget(em, g_ptr_array_index(em->attach_expired, i));
	if (em->attach_expired->len)
		log_msg(LOG_INFO, "email", "%s: %u attachments removed after their retention",
			gw_domain(em->gw), em->attach_expired->len);
	g_ptr_array_free(em->attach_expired, TRUE);
	em->attach_expired = NULL;
	sweep_orphans(em);
}

static void sweep_tick(void *ud)
{
	struct email *em = ud;
	email_attach_sweep(em);
	int64_t every = MIN(em->attach_retention_s, SWEEP_MAX_S);
	em->attach_timer = gw_timer_add((unsigned)MAX(every, 1) * 1000, sweep_tick, em);
}

enum gw_err email_attach_start(struct email *em)
{
	struct gw *gw = em->gw;
	char *dir = gw_conf_string(gw, "attachment_dir");
	if (!*dir) {
		char *store = gw_store_dir(gw);
		g_free(dir);
		dir = g_build_filename(store, "email-attachments", NULL);
		g_free(store);
	}
	em->attach_dir = dir;
	em->attach_max = (size_t)gw_conf_int(gw, "attachment_max_bytes");
	int64_t s = gw_conf_int(gw, "attachment_retention_s");
	em->attach_retention_s = s ? s : gw_conf_int(gw, "attachment_retention_days") * 86400;
	if (g_mkdir_with_parents(dir, 0700) != 0 || chmod(dir, 0700) != 0) {
		log_msg(LOG_ERROR, "email", "%s: attachment_dir %s: %s", gw_domain(gw), dir,
			g_strerror(errno));
		return GW_ERR_INTERNAL;
	}
	enum gw_err err = gw_http_mount(gw, ATTACH_PREFIX, 0, serve, NULL);
	if (err == GW_OK)
		sweep_tick(em);
	return err;
}

void email_attach_stop(struct email *em)
{
	if (em->attach_timer)
		gw_timer_remove(em->attach_timer);
	em->attach_timer = 0;
	g_free(em->attach_dir);
	g_free(em->serving);
	g_free(em->serving_type);
	g_free(em->serving_disp);
	em->attach_dir = em->serving = em->serving_type = em->serving_disp = NULL;
}

/* ---- storing -------------------------------------------------------------------- */

static void saved_free(gpointer data)
{
	struct attach_saved *a = data;
	g_free(a->name);
	g_free(a->safe);
	g_free(a->token);
	g_free(a->url);
	g_free(a->type);
	g_free(a);
}

/* Writes data to dir/token through a temporary file, fsync'ed, then the
 * folder. */
static bool write_file(struct email *em, const char *token, GBytes *data)
{
	char *path = file_of(em, token);
	char *tmp = g_strconcat(path, ".tmp", NULL);
	gsize len = 0;
	const char *p = g_bytes_get_data(data, &len);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	bool ok = fd >= 0;
	for (gsize off = 0; ok && off < len;) {
		ssize_t n = write(fd, p + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		ok = n > 0;
		off += ok ? (gsize)n : 0;
	}
	ok = ok && fsync(fd) == 0;
	if (fd >= 0)
		ok = close(fd) == 0 && ok;
	ok = ok && rename(tmp, path) == 0;
	int dfd = ok ? open(em->attach_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	ok = ok && dfd >= 0 && fsync(dfd) == 0;
	if (dfd >= 0)
		close(dfd);
	if (!ok) {
		log_msg(LOG_WARN, "email", "%s: cannot write %s: %s", gw_domain(em->gw), path,
			g_strerror(errno));
		unlink(tmp);
		unlink(path);
	}
	g_free(tmp);
	g_free(path);
	return ok;
}

GPtrArray *email_attach_save(struct email *em, const struct email_mail *m)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(saved_free);
	for (guint i = 0; m->attachments && i < m->attachments->len; i++) {
		const struct email_attachment *src = g_ptr_array_index(m->attachments, i);
		struct attach_saved *a = g_new0(struct attach_saved, 1);
		a->safe = attach_safe_name(src->name);
		a->name = g_strdup(src->name ? src->name : a->safe);
		a->type = attach_content_type(src->type);
		a->size = g_bytes_get_size(src->data);
		a->too_big = a->size > em->attach_max;
		g_ptr_array_add(out, a);
		if (a->too_big)
			continue;
		char *token = random_hex(ATTACH_TOKEN_BYTES); /* the kernel CSPRNG */
		if (write_file(em, token, src->data)) {
			char *path = attach_url_path(token, a->safe);
			a->url = gw_http_url(em->gw, path);
			a->token = token;
			token = NULL;
			g_free(path);
		}
		g_free(token);
	}
	return out;
}

enum gw_err email_attach_commit(struct email *em, GPtrArray *saved)
{
	enum gw_err err = GW_OK;
	for (guint i = 0; err == GW_OK && i < saved->len; i++) {
		struct attach_saved *a = g_ptr_array_index(saved, i);
		if (!a->token)
			continue;
		char *v = g_strdup_printf("%" PRId64 "\t%s\t%s", now_s() + em->attach_retention_s,
					  a->type, a->safe);
		err = gw_row_put(em->gw, EMAIL_ROW_ATTACH, a->token, v);
		g_free(v);
	}
	return err;
}

char *email_attach_lines(struct email *em, GPtrArray *saved, unsigned dropped)
{
	GString *s = g_string_new("");
	for (guint i = 0; i < saved->len; i++) {
		struct attach_saved *a = g_ptr_array_index(saved, i);
		if (a->token)
			g_string_append_printf(s, "\nAttachment: %s (%zu bytes): %s", a->name, a->size,
					       a->url);
		else if (a->too_big)
			g_string_append_printf(s, "\nAttachment not kept: %s (%zu bytes) is over the "
					       "gateway's limit of %zu bytes", a->name, a->size,
					       em->attach_max);
		else
			g_string_append_printf(s, "\nAttachment not kept: %s (%zu bytes) could not be "
					       "stored", a->name, a->size);
	}
	if (dropped)
		g_string_append_printf(s, "\n%u more attachments not kept (at most %d a mail)",
				       dropped, MIME_ATTACH_MAX);
	return g_string_free(s, FALSE);
}
