/* metrics.c - the process's metrics registry and its text exposition
 * (metrics.h). */
#include "metrics.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

struct series {
	char *values[METRIC_MAX_LABELS];
	double value;                        /* counter, gauge; histogram: sum */
	guint64 counts[METRIC_MAX_BUCKETS + 1]; /* histogram: per bucket, +Inf last */
	guint64 count;
};

struct metric_family {
	char *name;
	char *help;
	enum metric_type type;
	char *labels[METRIC_MAX_LABELS];
	size_t n_labels;
	double bounds[METRIC_MAX_BUCKETS];
	size_t n_bounds;
	GHashTable *series; /* key (values joined by \x1f) -> struct series * */
};

struct hook {
	metric_collect_fn fn;
	void *ud;
};

static GPtrArray *families; /* struct metric_family *, in the order made */
static GArray *hooks;       /* struct hook */

static struct series *series_of(struct metric_family *f, const char *const *values);

static bool name_ok(const char *s)
{
	if (!s || !*s || g_ascii_isdigit(*s))
		return false;
	for (; *s; s++)
		if (!g_ascii_isalnum(*s) && *s != '_' && *s != ':')
			return false;
	return true;
}

static void series_free(void *p)
{
	struct series *s = p;
	for (size_t i = 0; i < METRIC_MAX_LABELS; i++)
		g_free(s->values[i]);
	g_free(s);
}

static void family_free(void *p)
{
	struct metric_family *f = p;
	g_free(f->name);
	g_free(f->help);
	for (size_t i = 0; i < f->n_labels; i++)
		g_free(f->labels[i]);
	g_hash_table_destroy(f->series);
	g_free(f);
}

static struct metric_family *find(const char *name)
{
	for (guint i = 0; families && i < families->len; i++) {
		struct metric_family *f = g_ptr_array_index(families, i);
		if (!strcmp(f->name, name))
			return f;
	}
	return NULL;
}

struct metric_family *metric_family(const char *name, const char *help, enum metric_type type,
				    const char *labels, const double *bounds, size_t n_bounds)
{
	g_assert(name_ok(name));
	char **names = labels && *labels ? g_strsplit(labels, ",", -1) : g_new0(char *, 1);
	size_t n = g_strv_length(names);
	g_assert(n <= METRIC_MAX_LABELS);
	struct metric_family *f = find(name);
	if (f) {
		g_assert(f->type == type && f->n_labels == n);
		for (size_t i = 0; i < n; i++)
			g_assert(!strcmp(f->labels[i], names[i]));
		g_strfreev(names);
		return f;
	}
	f = g_new0(struct metric_family, 1);
	f->name = g_strdup(name);
	f->help = g_strdup(help ? help : "");
	f->type = type;
	for (size_t i = 0; i < n; i++) {
		g_assert(name_ok(names[i]) && strcmp(names[i], "le"));
		f->labels[i] = g_strdup(names[i]);
	}
	f->n_labels = n;
	g_strfreev(names);
	if (type == METRIC_HISTOGRAM) {
		g_assert(n_bounds >= 1 && n_bounds <= METRIC_MAX_BUCKETS);
		for (size_t i = 0; i < n_bounds; i++) {
			g_assert(isfinite(bounds[i]) && (i == 0 || bounds[i] > bounds[i - 1]));
			f->bounds[i] = bounds[i];
		}
		f->n_bounds = n_bounds;
	}
	f->series = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, series_free);
	if (!families)
		families = g_ptr_array_new_with_free_func(family_free);
	g_ptr_array_add(families, f);
	if (!n)
		series_of(f, NULL); /* shown as 0 before anything is counted */
	return f;
}

static struct series *series_of(struct metric_family *f, const char *const *values)
{
	/* The series exists nearly always: found without an allocation (the
	 * link counts every stanza). */
	char buf[256];
	size_t used = 0;
	bool fits = true;
	for (size_t i = 0; i < f->n_labels && fits; i++) {
		g_assert(values && values[i]);
		size_t n = strlen(values[i]);
		fits = used + n + 2 <= sizeof buf;
		if (fits) {
			if (i)
				buf[used++] = '\x1f';
			memcpy(buf + used, values[i], n);
			used += n;
		}
	}
	buf[fits ? used : 0] = 0;
	struct series *found = fits ? g_hash_table_lookup(f->series, buf) : NULL;
	if (found)
		return found;
	GString *key = g_string_new("");
	for (size_t i = 0; i < f->n_labels; i++) {
		g_assert(values && values[i]);
		if (i)
			g_string_append_c(key, '\x1f');
		g_string_append(key, values[i]);
	}
	struct series *s = g_hash_table_lookup(f->series, key->str);
	if (s) {
		g_string_free(key, TRUE);
		return s;
	}
	s = g_new0(struct series, 1);
	for (size_t i = 0; i < f->n_labels; i++)
		s->values[i] = g_strdup(values[i]);
	g_hash_table_insert(f->series, g_string_free(key, FALSE), s);
	return s;
}

void metric_add(struct metric_family *f, const char *const *values, double v)
{
	g_assert(f->type == METRIC_COUNTER && v >= 0);
	series_of(f, values)->value += v;
}

void metric_set(struct metric_family *f, const char *const *values, double v)
{
	g_assert(f->type != METRIC_HISTOGRAM);
	series_of(f, values)->value = v;
}

void metric_observe(struct metric_family *f, const char *const *values, double v)
{
	g_assert(f->type == METRIC_HISTOGRAM);
	struct series *s = series_of(f, values);
	size_t i = 0;
	while (i < f->n_bounds && v > f->bounds[i])
		i++;
	s->counts[i]++;
	s->count++;
	s->value += v;
}

static gboolean has_v0(gpointer key, gpointer value, gpointer ud)
{
	(void)key;
	const struct series *s = value;
	return !ud || (s->values[0] && !strcmp(s->values[0], ud));
}

void metric_forget(struct metric_family *f, const char *v0)
{
	g_hash_table_foreach_remove(f->series, has_v0, (gpointer)v0);
}

void metric_on_collect(metric_collect_fn fn, void *ud)
{
	if (!hooks)
		hooks = g_array_new(FALSE, FALSE, sizeof(struct hook));
	struct hook h = { .fn = fn, .ud = ud };
	g_array_append_val(hooks, h);
}

void metric_off_collect(metric_collect_fn fn, void *ud)
{
	for (guint i = 0; hooks && i < hooks->len; i++) {
		struct hook *h = &g_array_index(hooks, struct hook, i);
		if (h->fn == fn && h->ud == ud) {
			g_array_remove_index(hooks, i);
			return;
		}
	}
}

/* ---- the text exposition ------------------------------------------------ */

/* v as Prometheus reads it: integers without a fraction, others in the
 * shortest form that reads back the same. */
static void put_number(GString *out, double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];
	if (isnan(v)) {
		g_string_append(out, "NaN");
	} else if (isinf(v)) {
		g_string_append(out, v > 0 ? "+Inf" : "-Inf");
	} else if (v == floor(v) && fabs(v) < 1e15) {
		g_string_append(out, g_ascii_formatd(buf, sizeof buf, "%.0f", v));
	} else {
		g_ascii_formatd(buf, sizeof buf, "%.15g", v);
		if (g_ascii_strtod(buf, NULL) != v)
			g_ascii_formatd(buf, sizeof buf, "%.17g", v);
		g_string_append(out, buf);
	}
}

/* s with \ and newline escaped, and " too in a label value. */
static void put_escaped(GString *out, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			g_string_append(out, "\\\\");
		else if (*s == '\n')
			g_string_append(out, "\\n");
		else if (quote && *s == '"')
			g_string_append(out, "\\\"");
		else
			g_string_append_c(out, *s);
	}
}

/* name{labels[,le="bound"]} value */
static void put_sample(GString *out, const struct metric_family *f, const char *suffix,
		       const struct series *s, const char *le, double v)
{
	g_string_append(out, f->name);
	g_string_append(out, suffix);
	if (f->n_labels || le) {
		g_string_append_c(out, '{');
		for (size_t i = 0; i < f->n_labels; i++) {
			g_string_append_printf(out, "%s%s=\"", i ? "," : "", f->labels[i]);
			put_escaped(out, s->values[i], true);
			g_string_append_c(out, '"');
		}
		if (le)
			g_string_append_printf(out, "%sle=\"%s\"", f->n_labels ? "," : "", le);
		g_string_append_c(out, '}');
	}
	g_string_append_c(out, ' ');
	put_number(out, v);
	g_string_append_c(out, '\n');
}

static void put_series(GString *out, const struct metric_family *f, const struct series *s)
{
	if (f->type != METRIC_HISTOGRAM) {
		put_sample(out, f, "", s, NULL, s->value);
		return;
	}
	guint64 below = 0;
	for (size_t i = 0; i <= f->n_bounds; i++) {
		below += s->counts[i];
		GString *le = g_string_new("");
		put_number(le, i < f->n_bounds ? f->bounds[i] : INFINITY);
		put_sample(out, f, "_bucket", s, le->str, (double)below);
		g_string_free(le, TRUE);
	}
	put_sample(out, f, "_sum", s, NULL, s->value);
	put_sample(out, f, "_count", s, NULL, (double)s->count);
}

static int by_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *const type_name[] = {
	[METRIC_COUNTER] = "counter", [METRIC_GAUGE] = "gauge", [METRIC_HISTOGRAM] = "histogram",
};

char *metrics_render(void)
{
	for (guint i = 0; hooks && i < hooks->len; i++) {
		struct hook *h = &g_array_index(hooks, struct hook, i);
		h->fn(h->ud);
	}
	GString *out = g_string_new("");
	for (guint i = 0; families && i < families->len; i++) {
		const struct metric_family *f = g_ptr_array_index(families, i);
		g_string_append_printf(out, "# HELP %s ", f->name);
		put_escaped(out, f->help, false);
		g_string_append_printf(out, "\n# TYPE %s %s\n", f->name, type_name[f->type]);
		guint n = 0;
		gpointer *keys = g_hash_table_get_keys_as_array(f->series, &n);
		qsort(keys, n, sizeof *keys, by_key);
		for (guint k = 0; k < n; k++)
			put_series(out, f, g_hash_table_lookup(f->series, keys[k]));
		g_free(keys);
	}
	return g_string_free(out, FALSE);
}

void metrics_reset(void)
{
	if (families)
		g_ptr_array_free(families, TRUE);
	families = NULL;
	if (hooks)
		g_array_free(hooks, TRUE);
	hooks = NULL;
}
