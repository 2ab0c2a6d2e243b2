/* SPDX-License-Identifier: MIT */
/*
 * test_settings.c - the settings table parsed alone (shim/settings.c): good
 * values, suffixes and defaults in-process; every bad value in a forked child,
 * which must print exactly one line on stderr and exit with status 2.  Also
 * the dump signal's grammar (abi/signal_name.c), which asrt shares.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "settings.h"
#include "signal_name.h"

/* settings.c's constructor calls the binding check, which needs a runtime;
 * the parser is tested alone. */
bool as__binding_check(char **argv) { (void)argv; return false; }
void as__dump_signal_install(void) {}
bool as__bound; /* runtimes/core/xrt.c */

static void clear_env(void)
{
	for (size_t i = 0; i < as__setting_count; i++)
		unsetenv(as__setting_table[i].name);
}

static int setup(void **state)
{
	clear_env();
	return 0;
}

static struct as_settings parse_ok(const char *name, const char *value, bool secure)
{
	struct as_settings s;
	char msg[512];

	clear_env();
	if (name)
		setenv(name, value, 1);
	int r = as__settings_parse(&s, secure, msg, sizeof(msg));
	if (r != 0)
		fail_msg("%s=%s refused: %s", name, value, msg);
	return s;
}

/* Runs as__settings_load in a child with name=value and returns what it
 * wrote on stderr; *status gets its exit status (-1 if it did not exit). */
static char *load_in_child(const char *name, const char *value, bool secure, int *status)
{
	static char out[2048];
	int fds[2];
	size_t n = 0;

	assert_int_equal(pipe(fds), 0);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct as_settings s;
		clear_env();
		setenv("ASYNC_STD_VERBOSE", "0", 1);
		if (name)
			setenv(name, value, 1);
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		as__settings_load(&s, secure);
		_exit(0);
	}
	close(fds[1]);
	for (ssize_t r; (r = read(fds[0], out + n, sizeof(out) - 1 - n)) > 0;)
		n += (size_t)r;
	out[n] = '\0';
	close(fds[0]);
	int ws;
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
	return out;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The value must be refused with exactly `line` (plus newline), status 2. */
static void expect_refused(const char *name, const char *value, const char *line)
{
	int status;
	char *err = load_in_child(name, value, false, &status);
	char want[1024];

	snprintf(want, sizeof(want), "%s\n", line);
	assert_string_equal(err, want);
	assert_int_equal(status, 2);
}

/* The value must be refused: one line naming the variable, status 2. */
static void expect_refused_any(const char *name, const char *value)
{
	int status;
	char *err = load_in_child(name, value, false, &status);
	char prefix[128];

	snprintf(prefix, sizeof(prefix), "async_std: %s=", name);
	assert_int_equal(status, 2);
	assert_int_equal(count_lines(err), 1);
	assert_true(err[strlen(err) - 1] == '\n');
	assert_memory_equal(err, prefix, strlen(prefix));
	assert_non_null(strstr(err, "(accepted: "));
}

/* ---- defaults -------------------------------------------------------------- */

static void defaults_when_nothing_is_set(void **state)
{
	struct as_settings s = parse_ok(NULL, NULL, false);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	assert_int_equal(s.threads, cpus < 1 ? 1 : cpus > 1024 ? 1024 : cpus);
	assert_int_equal(s.stack_size, 256 * 1024);
	assert_int_equal(s.verbose, 0);
	assert_int_equal(s.traceback, 0);
	assert_null(s.runtime);
}

static void empty_value_means_default(void **state)
{
	assert_int_equal(parse_ok("ASYNC_STD_THREADS", "", false).threads,
			 (unsigned)as__online_cpus());
	assert_int_equal(parse_ok("ASYNC_STD_STACK_SIZE", "", false).stack_size, 256 * 1024);
	assert_null(parse_ok("ASYNC_STD_RUNTIME", "", false).runtime);
}

/* ---- good values ----------------------------------------------------------- */

static void threads_accepts_its_range(void **state)
{
	assert_int_equal(parse_ok("ASYNC_STD_THREADS", "1", false).threads, 1);
	assert_int_equal(parse_ok("ASYNC_STD_THREADS", "7", false).threads, 7);
	assert_int_equal(parse_ok("ASYNC_STD_THREADS", "1024", false).threads, 1024);
	assert_int_equal(parse_ok("ASYNC_STD_THREADS", "0008", false).threads, 8);
}

static void stack_size_takes_suffixes(void **state)
{
	assert_int_equal(parse_ok("ASYNC_STD_STACK_SIZE", "16K", false).stack_size, 16384);
	assert_int_equal(parse_ok("ASYNC_STD_STACK_SIZE", "64k", false).stack_size, 65536);
	assert_int_equal(parse_ok("ASYNC_STD_STACK_SIZE", "2M", false).stack_size, 2u << 20);
	assert_int_equal(parse_ok("ASYNC_STD_STACK_SIZE", "1g", false).stack_size, 1u << 30);
	assert_int_equal(parse_ok("ASYNC_STD_STACK_SIZE", "1048576", false).stack_size, 1u << 20);
}

static void stack_size_is_rounded_up_to_the_page(void **state)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t got = parse_ok("ASYNC_STD_STACK_SIZE", "20000", false).stack_size;

	assert_int_equal(got % page, 0);
	assert_true(got >= 20000 && got < 20000 + page);
}

static void verbose_and_traceback_parse(void **state)
{
	assert_int_equal(parse_ok("ASYNC_STD_VERBOSE", "2", false).verbose, 2);
	assert_int_equal(parse_ok("ASYNC_STD_TRACEBACK", "none", false).traceback, 0);
	assert_int_equal(parse_ok("ASYNC_STD_TRACEBACK", "tasks", false).traceback, 1);
}

static void dump_signal_by_name_or_number(void **state)
{
	assert_int_equal(parse_ok("ASYNC_STD_DUMP_SIGNAL", "SIGUSR2", false).dump_signal, SIGUSR2);
	assert_int_equal(parse_ok("ASYNC_STD_DUMP_SIGNAL", "USR1", false).dump_signal, SIGUSR1);
	assert_int_equal(parse_ok("ASYNC_STD_DUMP_SIGNAL", "SIGQUIT", false).dump_signal, SIGQUIT);
	assert_int_equal(parse_ok("ASYNC_STD_DUMP_SIGNAL", "12", false).dump_signal, 12);
	assert_int_equal(parse_ok("ASYNC_STD_DUMP_SIGNAL", "SIGRTMIN+3", false).dump_signal,
			 SIGRTMIN + 3);
	assert_int_equal(parse_ok(NULL, NULL, false).dump_signal, 0);
}

static void dump_signal_refuses_what_cannot_serve(void **state)
{
	expect_refused_any("ASYNC_STD_DUMP_SIGNAL", "SIGKILL");
	expect_refused_any("ASYNC_STD_DUMP_SIGNAL", "SIGSTOP");
	expect_refused_any("ASYNC_STD_DUMP_SIGNAL", "SIGSEGV");
	expect_refused_any("ASYNC_STD_DUMP_SIGNAL", "SIGBUS");
	expect_refused_any("ASYNC_STD_DUMP_SIGNAL", "usr2");
	expect_refused_any("ASYNC_STD_DUMP_SIGNAL", "0");
	expect_refused_any("ASYNC_STD_DUMP_SIGNAL", "999");
	expect_refused_any("ASYNC_STD_DUMP_SIGNAL", "SIGNOPE");
}

/* ---- the dump signal's grammar (abi/signal_name.c, shared with asrt) ------ */

static void signal_grammar_takes_numbers_without_sign_or_spaces(void **state)
{
	assert_int_equal(as__dump_signal_parse("10"), 10);
	assert_int_equal(as__dump_signal_parse("010"), 10);
	assert_int_equal(as__dump_signal_parse("1"), 1);
	assert_int_equal(as__dump_signal_parse("+10"), 0);
	assert_int_equal(as__dump_signal_parse(" 10"), 0);
	assert_int_equal(as__dump_signal_parse("10 "), 0);
	assert_int_equal(as__dump_signal_parse("SIG10"), 0);
	assert_int_equal(as__dump_signal_parse(""), 0);
}

static void signal_grammar_numbers_end_at_sigrtmax(void **state)
{
	char v[16];

	snprintf(v, sizeof(v), "%d", SIGRTMAX);
	assert_int_equal(as__dump_signal_parse(v), SIGRTMAX);
	snprintf(v, sizeof(v), "%d", SIGRTMAX + 1);
	assert_int_equal(as__dump_signal_parse(v), 0);
	assert_int_equal(as__dump_signal_parse("99999999999999999999"), 0);
}

static void signal_grammar_takes_names_with_or_without_sig(void **state)
{
	assert_int_equal(as__dump_signal_parse("SIGUSR1"), SIGUSR1);
	assert_int_equal(as__dump_signal_parse("USR1"), SIGUSR1);
	assert_int_equal(as__dump_signal_parse("SIGWINCH"), SIGWINCH);
	assert_int_equal(as__dump_signal_parse("HUP"), SIGHUP);
	assert_int_equal(as__dump_signal_parse("sigusr1"), 0);
	assert_int_equal(as__dump_signal_parse("SIGSIGUSR1"), 0);
	assert_int_equal(as__dump_signal_parse("SIG"), 0);
}

static void signal_grammar_counts_realtime_from_both_ends(void **state)
{
	char v[32];

	assert_int_equal(as__dump_signal_parse("SIGRTMIN"), SIGRTMIN);
	assert_int_equal(as__dump_signal_parse("RTMIN+2"), SIGRTMIN + 2);
	assert_int_equal(as__dump_signal_parse("SIGRTMAX"), SIGRTMAX);
	assert_int_equal(as__dump_signal_parse("RTMAX-1"), SIGRTMAX - 1);
	snprintf(v, sizeof(v), "RTMIN+%d", SIGRTMAX - SIGRTMIN);
	assert_int_equal(as__dump_signal_parse(v), SIGRTMAX);
	snprintf(v, sizeof(v), "RTMAX-%d", SIGRTMAX - SIGRTMIN);
	assert_int_equal(as__dump_signal_parse(v), SIGRTMIN);
}

static void signal_grammar_refuses_realtime_outside_the_range(void **state)
{
	char v[32];

	snprintf(v, sizeof(v), "RTMIN+%d", SIGRTMAX - SIGRTMIN + 1);
	assert_int_equal(as__dump_signal_parse(v), 0);
	snprintf(v, sizeof(v), "RTMAX-%d", SIGRTMAX - SIGRTMIN + 1);
	assert_int_equal(as__dump_signal_parse(v), 0);
	assert_int_equal(as__dump_signal_parse("RTMIN-1"), 0);
	assert_int_equal(as__dump_signal_parse("RTMAX+1"), 0);
	assert_int_equal(as__dump_signal_parse("RTMIN+"), 0);
	assert_int_equal(as__dump_signal_parse("RTMIN+ 1"), 0);
	assert_int_equal(as__dump_signal_parse("RTMIN+1x"), 0);
	assert_int_equal(as__dump_signal_parse("RTMINX"), 0);
}

static void signal_grammar_refuses_uncatchable_and_fault_signals(void **state)
{
	char v[16];

	assert_int_equal(as__dump_signal_parse("KILL"), 0);
	assert_int_equal(as__dump_signal_parse("SIGSTOP"), 0);
	assert_int_equal(as__dump_signal_parse("SEGV"), 0);
	assert_int_equal(as__dump_signal_parse("SIGBUS"), 0);
	snprintf(v, sizeof(v), "%d", SIGKILL);
	assert_int_equal(as__dump_signal_parse(v), 0);
	snprintf(v, sizeof(v), "%d", SIGSEGV);
	assert_int_equal(as__dump_signal_parse(v), 0);
}

static void runtime_is_kept_as_text(void **state)
{
	assert_string_equal(parse_ok("ASYNC_STD_RUNTIME", "humboldt", false).runtime, "humboldt");
}

/* ---- bad values: one line, exit status 2 ---------------------------------- */

static void threads_zero_is_out_of_range(void **state)
{
	expect_refused("ASYNC_STD_THREADS", "0",
		       "async_std: ASYNC_STD_THREADS=0 is out of range (accepted: 1..1024)");
}

static void threads_above_max_is_out_of_range(void **state)
{
	expect_refused("ASYNC_STD_THREADS", "1025",
		       "async_std: ASYNC_STD_THREADS=1025 is out of range (accepted: 1..1024)");
	expect_refused("ASYNC_STD_THREADS", "99999999999999999999999",
		       "async_std: ASYNC_STD_THREADS=99999999999999999999999 is out of range "
		       "(accepted: 1..1024)");
}

static void threads_not_a_number(void **state)
{
	expect_refused("ASYNC_STD_THREADS", "four",
		       "async_std: ASYNC_STD_THREADS=four is not a number (accepted: 1..1024)");
	expect_refused_any("ASYNC_STD_THREADS", "-1");
	expect_refused_any("ASYNC_STD_THREADS", " 4");
	expect_refused_any("ASYNC_STD_THREADS", "4x");
	expect_refused_any("ASYNC_STD_THREADS", "4K"); /* suffixes are for sizes only */
}

static void stack_size_out_of_range(void **state)
{
	expect_refused("ASYNC_STD_STACK_SIZE", "8K",
		       "async_std: ASYNC_STD_STACK_SIZE=8K is out of range "
		       "(accepted: 16K..1G bytes, suffix K, M or G)");
	expect_refused_any("ASYNC_STD_STACK_SIZE", "16383");
	expect_refused_any("ASYNC_STD_STACK_SIZE", "2G");
	expect_refused_any("ASYNC_STD_STACK_SIZE", "0");
	expect_refused_any("ASYNC_STD_STACK_SIZE", "99999999999G"); /* overflows */
}

static void stack_size_bad_suffix(void **state)
{
	expect_refused("ASYNC_STD_STACK_SIZE", "1T",
		       "async_std: ASYNC_STD_STACK_SIZE=1T is not a size "
		       "(accepted: 16K..1G bytes, suffix K, M or G)");
	expect_refused_any("ASYNC_STD_STACK_SIZE", "K");
	expect_refused_any("ASYNC_STD_STACK_SIZE", "64KB");
	expect_refused_any("ASYNC_STD_STACK_SIZE", "1.5M");
}

static void verbose_out_of_range(void **state)
{
	expect_refused("ASYNC_STD_VERBOSE", "3",
		       "async_std: ASYNC_STD_VERBOSE=3 is out of range (accepted: 0..2)");
	expect_refused_any("ASYNC_STD_VERBOSE", "yes");
}

static void traceback_unknown_word(void **state)
{
	expect_refused("ASYNC_STD_TRACEBACK", "all",
		       "async_std: ASYNC_STD_TRACEBACK=all is not accepted (accepted: none|tasks)");
	expect_refused_any("ASYNC_STD_TRACEBACK", "TASKS");
	expect_refused_any("ASYNC_STD_TRACEBACK", "task");
}

static void control_bytes_stay_on_one_line(void **state)
{
	expect_refused("ASYNC_STD_THREADS", "1\n2",
		       "async_std: ASYNC_STD_THREADS=1?2 is not a number (accepted: 1..1024)");
}

static void a_long_value_is_cut(void **state)
{
	char big[400];
	int status;

	memset(big, '9', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	char *err = load_in_child("ASYNC_STD_THREADS", big, false, &status);
	assert_int_equal(status, 2);
	assert_int_equal(count_lines(err), 1);
	assert_non_null(strstr(err, "... is out of range (accepted: 1..1024)"));
	assert_true(strlen(err) < 200);
}

static void good_values_print_nothing(void **state)
{
	int status;
	char *err = load_in_child("ASYNC_STD_THREADS", "3", false, &status);

	assert_string_equal(err, "");
	assert_int_equal(status, 0);
}

/* ---- secure execution ------------------------------------------------------ */

static void secure_ignores_runtime(void **state)
{
	struct as_settings s;
	char msg[512];

	clear_env();
	setenv("ASYNC_STD_RUNTIME", "/tmp/evil.so", 1);
	assert_int_equal(as__settings_parse(&s, true, msg, sizeof(msg)), 0);
	assert_null(s.runtime);
	assert_non_null(strstr(msg, "ignoring ASYNC_STD_RUNTIME"));
	/* Not secure: kept. */
	assert_string_equal(parse_ok("ASYNC_STD_RUNTIME", "/tmp/evil.so", false).runtime,
			    "/tmp/evil.so");
}

static void secure_keeps_variables_that_select_no_code(void **state)
{
	assert_int_equal(parse_ok("ASYNC_STD_THREADS", "3", true).threads, 3);
	int status;
	load_in_child("ASYNC_STD_THREADS", "0", true, &status);
	assert_int_equal(status, 2);
}

/* A variable that would select code, under secure execution: one line, and
 * the process goes on without it (ld.so is silent about LD_PRELOAD, but a
 * user who asked for a runtime deserves to know why it did not happen). */
static void secure_ignore_says_one_line(void **state)
{
	int status;
	char *err = load_in_child("ASYNC_STD_RUNTIME", "x", true, &status);

	assert_int_equal(count_lines(err), 1);
	assert_string_equal(err, "async_std: secure execution (AT_SECURE): ignoring "
				 "ASYNC_STD_RUNTIME, as ld.so ignores LD_PRELOAD\n");
	assert_int_equal(status, 0);
}

/* ---- documentation --------------------------------------------------------- */

static void doc_lists_every_variable(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	as__settings_doc(f);
	fclose(f);
	assert_int_equal(count_lines(buf), as__setting_count);
	for (size_t i = 0; i < as__setting_count; i++)
		assert_non_null(strstr(buf, as__setting_table[i].name));
	assert_non_null(strstr(buf, "ASYNC_STD_THREADS      1..1024; default online CPUs."));
	free(buf);
}

/* ---- ASYNC_STD_VERBOSE=2: each setting's value and where it came from ------- */

static size_t row_of(const char *name)
{
	for (size_t i = 0; i < as__setting_count; i++)
		if (strcmp(as__setting_table[i].name, name) == 0)
			return i;
	fail_msg("no row %s", name);
	return 0;
}

/* Parses with name=value set (or nothing) and explains row `row_name`. */
static const char *explained(const char *name, const char *value, bool secure,
			     const char *row_name)
{
	static char line[256];
	struct as_settings s = parse_ok(name, value, secure);

	as__settings_explain(line, sizeof(line), &s, row_of(row_name), secure);
	return line;
}

static void explain_names_a_number_from_the_environment(void **state)
{
	(void)state;
	assert_string_equal(explained("ASYNC_STD_THREADS", "3", false, "ASYNC_STD_THREADS"),
			    "ASYNC_STD_THREADS=3 (from the environment)");
}

static void explain_shows_a_default_size_with_its_suffix(void **state)
{
	(void)state;
	assert_string_equal(explained(NULL, NULL, false, "ASYNC_STD_STACK_SIZE"),
			    "ASYNC_STD_STACK_SIZE=256K (default)");
}

static void explain_shows_a_choice_as_its_word(void **state)
{
	(void)state;
	assert_string_equal(explained("ASYNC_STD_TRACEBACK", "tasks", false, "ASYNC_STD_TRACEBACK"),
			    "ASYNC_STD_TRACEBACK=tasks (from the environment)");
}

static void explain_shows_a_signal_by_name(void **state)
{
	(void)state;
	assert_string_equal(explained("ASYNC_STD_DUMP_SIGNAL", "12", false, "ASYNC_STD_DUMP_SIGNAL"),
			    "ASYNC_STD_DUMP_SIGNAL=SIGUSR2 (from the environment)");
}

static void explain_shows_unset_text_with_its_default(void **state)
{
	(void)state;
	assert_string_equal(explained(NULL, NULL, false, "ASYNC_STD_RUNTIME"),
			    "ASYNC_STD_RUNTIME unset (default: the linked or preloaded one)");
}

static void explain_says_secure_execution_ignored_a_value(void **state)
{
	(void)state;
	assert_string_equal(explained("ASYNC_STD_RUNTIME", "humboldt", true, "ASYNC_STD_RUNTIME"),
			    "ASYNC_STD_RUNTIME unset (ignored under secure execution; "
			    "default: the linked or preloaded one)");
}

static void report_prints_one_line_per_setting(void **state)
{
	(void)state;
	struct as_settings s = parse_ok(NULL, NULL, false);
	int fds[2];
	char buf[8192];
	size_t n = 0;

	assert_int_equal(pipe(fds), 0);
	int saved = dup(STDERR_FILENO);
	dup2(fds[1], STDERR_FILENO);
	as__settings_report(&s, false);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fds[1]);
	for (ssize_t r; (r = read(fds[0], buf + n, sizeof(buf) - 1 - n)) > 0;)
		n += (size_t)r;
	buf[n] = '\0';
	close(fds[0]);
	assert_int_equal(count_lines(buf), as__setting_count);
	assert_non_null(strstr(buf, "async_std: ASYNC_STD_VERBOSE=0 (default)\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(defaults_when_nothing_is_set, setup),
		cmocka_unit_test_setup(empty_value_means_default, setup),
		cmocka_unit_test_setup(threads_accepts_its_range, setup),
		cmocka_unit_test_setup(stack_size_takes_suffixes, setup),
		cmocka_unit_test_setup(stack_size_is_rounded_up_to_the_page, setup),
		cmocka_unit_test_setup(verbose_and_traceback_parse, setup),
		cmocka_unit_test_setup(runtime_is_kept_as_text, setup),
		cmocka_unit_test_setup(dump_signal_by_name_or_number, setup),
		cmocka_unit_test_setup(dump_signal_refuses_what_cannot_serve, setup),
		cmocka_unit_test(signal_grammar_takes_numbers_without_sign_or_spaces),
		cmocka_unit_test(signal_grammar_numbers_end_at_sigrtmax),
		cmocka_unit_test(signal_grammar_takes_names_with_or_without_sig),
		cmocka_unit_test(signal_grammar_counts_realtime_from_both_ends),
		cmocka_unit_test(signal_grammar_refuses_realtime_outside_the_range),
		cmocka_unit_test(signal_grammar_refuses_uncatchable_and_fault_signals),
		cmocka_unit_test_setup(threads_zero_is_out_of_range, setup),
		cmocka_unit_test_setup(threads_above_max_is_out_of_range, setup),
		cmocka_unit_test_setup(threads_not_a_number, setup),
		cmocka_unit_test_setup(stack_size_out_of_range, setup),
		cmocka_unit_test_setup(stack_size_bad_suffix, setup),
		cmocka_unit_test_setup(verbose_out_of_range, setup),
		cmocka_unit_test_setup(traceback_unknown_word, setup),
		cmocka_unit_test_setup(control_bytes_stay_on_one_line, setup),
		cmocka_unit_test_setup(a_long_value_is_cut, setup),
		cmocka_unit_test_setup(good_values_print_nothing, setup),
		cmocka_unit_test_setup(secure_ignores_runtime, setup),
		cmocka_unit_test_setup(secure_keeps_variables_that_select_no_code, setup),
		cmocka_unit_test_setup(secure_ignore_says_one_line, setup),
		cmocka_unit_test_setup(doc_lists_every_variable, setup),
		cmocka_unit_test_setup(explain_names_a_number_from_the_environment, setup),
		cmocka_unit_test_setup(explain_shows_a_default_size_with_its_suffix, setup),
		cmocka_unit_test_setup(explain_shows_a_choice_as_its_word, setup),
		cmocka_unit_test_setup(explain_shows_a_signal_by_name, setup),
		cmocka_unit_test_setup(explain_shows_unset_text_with_its_default, setup),
		cmocka_unit_test_setup(explain_says_secure_execution_ignored_a_value, setup),
		cmocka_unit_test_setup(report_prints_one_line_per_setting, setup),
	};
	return cmocka_run_group_tests_name("settings", tests, NULL, NULL);
}
