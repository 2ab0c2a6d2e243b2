/* SPDX-License-Identifier: MIT */
/*
 * test_runtime_path.c - the runtime lookup the shim and asrt share
 * (abi/runtime_path.c), alone: which specs are paths, which files are
 * runtimes, and how directories shadow each other, in scratch directories.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime_path.h"

/* Short enough that every path built from them fits PATH_MAX. */
struct dirs {
	char root[256], a[264], b[264];
};

static void touch(const char *dir, const char *file)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
}

static int dirs_setup(void **state)
{
	struct dirs *d = calloc(1, sizeof(*d));
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	if (!d || strlen(tmp) > 200)
		return -1;
	snprintf(d->root, sizeof(d->root), "%s/test-runtime-path.XXXXXX", tmp);
	if (!mkdtemp(d->root))
		return -1;
	snprintf(d->a, sizeof(d->a), "%s/a", d->root);
	snprintf(d->b, sizeof(d->b), "%s/b", d->root);
	if (mkdir(d->a, 0700) != 0 || mkdir(d->b, 0700) != 0)
		return -1;
	*state = d;
	return 0;
}

static int dirs_teardown(void **state)
{
	struct dirs *d = *state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->root);
	int r = system(cmd);
	free(d);
	return r == 0 ? 0 : -1;
}

static void a_slash_or_so_suffix_makes_a_path(void **state)
{
	assert_true(as__runtime_spec_is_path("./libx.so"));
	assert_true(as__runtime_spec_is_path("/opt/x"));
	assert_true(as__runtime_spec_is_path("libx.so"));
	assert_true(as__runtime_spec_is_path("libx.so.1"));
	assert_false(as__runtime_spec_is_path("humboldt"));
	assert_false(as__runtime_spec_is_path("default"));
	assert_false(as__runtime_spec_is_path("x.sox"));
}

static void only_lib_name_so_files_name_runtimes(void **state)
{
	char name[16];

	assert_true(as__runtime_name_of_file("libhumboldt.so", name, sizeof(name)));
	assert_string_equal(name, "humboldt");
	assert_false(as__runtime_name_of_file("lib.so", name, sizeof(name)));
	assert_false(as__runtime_name_of_file("humboldt.so", name, sizeof(name)));
	assert_false(as__runtime_name_of_file("libhumboldt.so.1", name, sizeof(name)));
	assert_false(as__runtime_name_of_file("libaveryveryverylongname.so", name, sizeof(name)));
}

static void the_first_directory_that_has_the_name_wins(void **state)
{
	struct dirs *d = *state;
	const char *dirs[] = { d->a, d->b };
	char path[PATH_MAX], want[512];

	touch(d->a, "libx.so");
	touch(d->b, "libx.so");
	touch(d->b, "liby.so");
	assert_true(as__runtime_file_find("x", dirs, 2, path, sizeof(path)));
	snprintf(want, sizeof(want), "%s/libx.so", d->a);
	assert_string_equal(path, want);
	assert_true(as__runtime_file_find("y", dirs, 2, path, sizeof(path)));
	snprintf(want, sizeof(want), "%s/liby.so", d->b);
	assert_string_equal(path, want);
	assert_false(as__runtime_file_find("z", dirs, 2, path, sizeof(path)));
}

static void a_directory_is_no_runtime(void **state)
{
	struct dirs *d = *state;
	const char *dirs[] = { d->a };
	char path[PATH_MAX], dir[512];

	snprintf(dir, sizeof(dir), "%s/libdir.so", d->a);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_false(as__runtime_file_find("dir", dirs, 1, path, sizeof(path)));
}

struct seen {
	char names[8][32];
	int n;
};

static void record(const char *name, const char *path, void *arg)
{
	struct seen *s = arg;
	if (s->n < 8)
		snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", name);
}

static int seen_count(const struct seen *s, const char *name)
{
	int c = 0;
	for (int i = 0; i < s->n; i++)
		c += strcmp(s->names[i], name) == 0;
	return c;
}

static void each_lists_a_shadowed_name_once_and_never_default(void **state)
{
	struct dirs *d = *state;
	const char *dirs[] = { d->a, d->b };
	struct seen s = { .n = 0 };

	touch(d->a, "libx.so");
	touch(d->b, "libx.so");
	touch(d->b, "liby.so");
	touch(d->b, "libdefault.so");
	touch(d->b, "notes.txt");
	as__runtime_each(dirs, 2, record, &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(seen_count(&s, "x"), 1);
	assert_int_equal(seen_count(&s, "y"), 1);
}

/* The stub installed in LIBDIR: the folder beside it is the installed
 * folder, searched twice (the unknown-name line once said "humboldt,
 * humboldt"). */
static void the_same_directory_twice_lists_each_name_once(void **state)
{
	struct dirs *d = *state;
	const char *dirs[] = { d->a, d->a };
	struct seen s = { .n = 0 };

	touch(d->a, "libx.so");
	as__runtime_each(dirs, 2, record, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(seen_count(&s, "x"), 1);
}

static void an_absolute_path_keeps_the_last_component(void **state)
{
	struct dirs *d = *state;
	char out[PATH_MAX], want[PATH_MAX], cwd[PATH_MAX], real[PATH_MAX];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(d->a), 0);
	as__runtime_path_absolute("../b/liblink.so", out, sizeof(out));
	assert_int_equal(chdir(cwd), 0);
	assert_non_null(realpath(d->b, real));
	assert_true(strlen(real) < sizeof(want) - 16);
	snprintf(want, sizeof(want), "%.4000s/liblink.so", real);
	assert_string_equal(out, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_slash_or_so_suffix_makes_a_path),
		cmocka_unit_test(only_lib_name_so_files_name_runtimes),
		cmocka_unit_test_setup_teardown(the_first_directory_that_has_the_name_wins,
						dirs_setup, dirs_teardown),
		cmocka_unit_test_setup_teardown(a_directory_is_no_runtime, dirs_setup, dirs_teardown),
		cmocka_unit_test_setup_teardown(each_lists_a_shadowed_name_once_and_never_default,
						dirs_setup, dirs_teardown),
		cmocka_unit_test_setup_teardown(the_same_directory_twice_lists_each_name_once,
						dirs_setup, dirs_teardown),
		cmocka_unit_test_setup_teardown(an_absolute_path_keeps_the_last_component,
						dirs_setup, dirs_teardown),
	};
	return cmocka_run_group_tests_name("runtime_path", tests, NULL, NULL);
}
