/* test_metrics.c - the metrics registry and its text exposition
 * (metrics.h): exact output for counters, gauges and histograms, label
 * escaping, series order, collect hooks, forgetting a gateway's series. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "metrics.h"

static int teardown(void **state)
{
	metrics_reset();
	return 0;
}

static void assert_render(const char *want)
{
	char *got = metrics_render();
	assert_string_equal(got, want);
	g_free(got);
}

static void test_counter_and_gauge(void **state)
{
	struct metric_family *c = metric_family("x_total", "Things done", METRIC_COUNTER,
						"gateway,kind", NULL, 0);
	struct metric_family *g = metric_family("x_depth", "Depth", METRIC_GAUGE, NULL, NULL, 0);
	metric_add(c, (const char *const[]){ "b.example", "message" }, 2);
	metric_add(c, (const char *const[]){ "a.example", "presence" }, 1);
	metric_add(c, (const char *const[]){ "b.example", "message" }, 1);
	metric_set(g, NULL, 0.25);
	assert_render("# HELP x_total Things done\n"
		      "# TYPE x_total counter\n"
		      "x_total{gateway=\"a.example\",kind=\"presence\"} 1\n"
		      "x_total{gateway=\"b.example\",kind=\"message\"} 3\n"
		      "# HELP x_depth Depth\n"
		      "# TYPE x_depth gauge\n"
		      "x_depth 0.25\n");
}

static void test_unlabelled_shown_at_zero(void **state)
{
	metric_family("y_total", "Y", METRIC_COUNTER, NULL, NULL, 0);
	assert_render("# HELP y_total Y\n# TYPE y_total counter\ny_total 0\n");
}

static void test_same_name_same_family(void **state)
{
	struct metric_family *a = metric_family("z_total", "Z", METRIC_COUNTER, "k", NULL, 0);
	struct metric_family *b = metric_family("z_total", "Z", METRIC_COUNTER, "k", NULL, 0);
	assert_ptr_equal(a, b);
	metric_add(a, (const char *const[]){ "v" }, 1);
	metric_add(b, (const char *const[]){ "v" }, 1);
	assert_render("# HELP z_total Z\n# TYPE z_total counter\nz_total{k=\"v\"} 2\n");
}

static void test_histogram(void **state)
{
	static const double bounds[] = { 0.001, 0.01, 0.1 };
	struct metric_family *h = metric_family("t_seconds", "Time", METRIC_HISTOGRAM, "gateway",
						bounds, G_N_ELEMENTS(bounds));
	const char *const v[] = { "g" };
	metric_observe(h, v, 0.0005);
	metric_observe(h, v, 0.001); /* on a bound: in that bucket (le) */
	metric_observe(h, v, 0.05);
	metric_observe(h, v, 3);
	assert_render("# HELP t_seconds Time\n"
		      "# TYPE t_seconds histogram\n"
		      "t_seconds_bucket{gateway=\"g\",le=\"0.001\"} 2\n"
		      "t_seconds_bucket{gateway=\"g\",le=\"0.01\"} 2\n"
		      "t_seconds_bucket{gateway=\"g\",le=\"0.1\"} 3\n"
		      "t_seconds_bucket{gateway=\"g\",le=\"+Inf\"} 4\n"
		      "t_seconds_sum{gateway=\"g\"} 3.0515\n"
		      "t_seconds_count{gateway=\"g\"} 4\n");
}

static void test_escaping(void **state)
{
	struct metric_family *g = metric_family("e", "back\\slash\nnew \"line\"", METRIC_GAUGE,
						"l", NULL, 0);
	metric_set(g, (const char *const[]){ "a\"b\\c\nd" }, 1);
	assert_render("# HELP e back\\\\slash\\nnew \"line\"\n"
		      "# TYPE e gauge\n"
		      "e{l=\"a\\\"b\\\\c\\nd\"} 1\n");
}

static void test_numbers(void **state)
{
	struct metric_family *g = metric_family("n", "N", METRIC_GAUGE, "k", NULL, 0);
	metric_set(g, (const char *const[]){ "a" }, 1e15);
	metric_set(g, (const char *const[]){ "b" }, 0.1);
	metric_set(g, (const char *const[]){ "c" }, -3);
	metric_set(g, (const char *const[]){ "d" }, 123456789012);
	assert_render("# HELP n N\n# TYPE n gauge\n"
		      "n{k=\"a\"} 1e+15\n"
		      "n{k=\"b\"} 0.1\n"
		      "n{k=\"c\"} -3\n"
		      "n{k=\"d\"} 123456789012\n");
}

static int collected;

static void collect(void *ud)
{
	collected++;
	metric_set(ud, NULL, collected);
}

static void test_collect_hook(void **state)
{
	struct metric_family *g = metric_family("h", "H", METRIC_GAUGE, NULL, NULL, 0);
	collected = 0;
	metric_on_collect(collect, g);
	assert_render("# HELP h H\n# TYPE h gauge\nh 1\n");
	assert_render("# HELP h H\n# TYPE h gauge\nh 2\n");
	metric_off_collect(collect, g);
	assert_render("# HELP h H\n# TYPE h gauge\nh 2\n");
}

static void test_forget(void **state)
{
	struct metric_family *c = metric_family("f_total", "F", METRIC_COUNTER, "gateway,kind",
						NULL, 0);
	metric_add(c, (const char *const[]){ "a", "x" }, 1);
	metric_add(c, (const char *const[]){ "b", "x" }, 1);
	metric_add(c, (const char *const[]){ "a", "y" }, 1);
	metric_forget(c, "a");
	assert_render("# HELP f_total F\n# TYPE f_total counter\nf_total{gateway=\"b\",kind=\"x\"} 1\n");
	metric_forget(c, NULL);
	assert_render("# HELP f_total F\n# TYPE f_total counter\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_counter_and_gauge, teardown),
		cmocka_unit_test_teardown(test_unlabelled_shown_at_zero, teardown),
		cmocka_unit_test_teardown(test_same_name_same_family, teardown),
		cmocka_unit_test_teardown(test_histogram, teardown),
		cmocka_unit_test_teardown(test_escaping, teardown),
		cmocka_unit_test_teardown(test_numbers, teardown),
		cmocka_unit_test_teardown(test_collect_hook, teardown),
		cmocka_unit_test_teardown(test_forget, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
