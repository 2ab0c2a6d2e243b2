/* SPDX-License-Identifier: MIT */
/*
 * settings.c - parses and validates the environment once, from the table in
 * settings.h, and holds the shim's constructor: this object is pulled into
 * every link because core calls as__settings(), so the load-time checks run.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "settings.h"
#include "signal_name.h"

#define KIB (1ull << 10)
#define MIB (1ull << 20)
#define GIB (1ull << 30)

unsigned long long as__online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	/* The default must itself be accepted, whatever the machine says. */
	if (n < 1)
		return 1;
	return n > 1024 ? 1024 : (unsigned long long)n;
}

const struct as_setting as__setting_table[] = {
#define AS_SETTING_ROW(field, type, ...)                                            \
	{ .offset = offsetof(struct as_settings, field), .size = sizeof(type), __VA_ARGS__ },
	AS_SETTINGS_TABLE(AS_SETTING_ROW)
#undef AS_SETTING_ROW
};
const size_t as__setting_count = sizeof(as__setting_table) / sizeof(as__setting_table[0]);

/* ---- formatting the accepted values ---------------------------------------- */

/* A byte count in the largest suffix that divides it: 16K, 1G, 1000. */
static void fmt_bytes(char *buf, size_t len, unsigned long long v)
{
	if (v && v % GIB == 0)
		snprintf(buf, len, "%lluG", v / GIB);
	else if (v && v % MIB == 0)
		snprintf(buf, len, "%lluM", v / MIB);
	else if (v && v % KIB == 0)
		snprintf(buf, len, "%lluK", v / KIB);
	else
		snprintf(buf, len, "%llu", v);
}

static void fmt_accepted(char *buf, size_t len, const struct as_setting *s)
{
	char lo[32], hi[32];

	switch (s->kind) {
	case AS_SET_NUMBER:
		if (s->flags & AS_SET_BYTES) {
			fmt_bytes(lo, sizeof(lo), s->min);
			fmt_bytes(hi, sizeof(hi), s->max);
			snprintf(buf, len, "%s..%s bytes, suffix K, M or G", lo, hi);
		} else {
			snprintf(buf, len, "%llu..%llu", s->min, s->max);
		}
		break;
	case AS_SET_CHOICE:
		snprintf(buf, len, "%s", s->choices);
		break;
	case AS_SET_TEXT:
		snprintf(buf, len, "any text");
		break;
	case AS_SET_SIGNAL:
		snprintf(buf, len, "%s", AS_DUMP_SIGNAL_ACCEPTED);
		break;
	}
}

/* The user's value, made safe for one line: control bytes become '?', and a
 * long value is cut, so the error stays one readable line. */
void as__settings_shown(char *buf, size_t len, const char *v)
{
	size_t i = 0;

	for (; *v && i + 4 < len; v++)
		buf[i++] = ((unsigned char)*v < 0x20 || *v == 0x7f) ? '?' : *v;
	if (*v) {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
}

/* ---- parsing ----------------------------------------------------------- */

enum { PARSE_OK, PARSE_NOT_NUMBER, PARSE_TOO_BIG };

static int parse_number(const char *s, bool bytes, unsigned long long *out)
{
	unsigned long long v = 0, mult = 1;

	if (*s < '0' || *s > '9')
		return PARSE_NOT_NUMBER;
	bool too_big = false;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (v > (~0ull - d) / 10)
			too_big = true;
		else
			v = v * 10 + d;
	}
	if (bytes && *s) {
		switch (*s) {
		case 'k': case 'K': mult = KIB; break;
		case 'm': case 'M': mult = MIB; break;
		case 'g': case 'G': mult = GIB; break;
		default: return PARSE_NOT_NUMBER;
		}
		s++;
	}
	if (*s)
		return PARSE_NOT_NUMBER;
	if (too_big || v > ~0ull / mult)
		return PARSE_TOO_BIG;
	*out = v * mult;
	return PARSE_OK;
}

/* Index of word v in "a|b|c", or -1. */
static int parse_choice(const char *choices, const char *v)
{
	size_t n = strlen(v);
	int i = 0;

	for (const char *p = choices;; i++) {
		const char *bar = strchr(p, '|');
		size_t wl = bar ? (size_t)(bar - p) : strlen(p);
		if (wl == n && n && memcmp(p, v, n) == 0)
			return i;
		if (!bar)
			return -1;
		p = bar + 1;
	}
}

static void store_number(struct as_settings *out, const struct as_setting *s,
			 unsigned long long v)
{
	char *dst = (char *)out + s->offset;

	/* Values are within [0, max], which the row guarantees fits its field. */
	switch (s->size) {
	case 1: { uint8_t x = (uint8_t)v; memcpy(dst, &x, 1); break; }
	case 2: { uint16_t x = (uint16_t)v; memcpy(dst, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(dst, &x, 4); break; }
	default: { uint64_t x = v; memcpy(dst, &x, 8); break; }
	}
}

static unsigned long long page_round(unsigned long long v)
{
	unsigned long long page = (unsigned long long)sysconf(_SC_PAGESIZE);

	return (v + page - 1) / page * page;
}

/* Parses one row; -1 with the error line in msg. */
static int parse_row(struct as_settings *out, const struct as_setting *s,
		     const char *v, char *msg, size_t msglen)
{
	char acc[96], shown[80];
	unsigned long long n;
	int r;

	fmt_accepted(acc, sizeof(acc), s);
	as__settings_shown(shown, sizeof(shown), v ? v : "");
	switch (s->kind) {
	case AS_SET_NUMBER:
		if (!v) {
			n = s->dflt_fn ? s->dflt_fn() : s->dflt;
		} else if ((r = parse_number(v, s->flags & AS_SET_BYTES, &n)) != PARSE_OK) {
			snprintf(msg, msglen, "%s=%s is %s (accepted: %s)", s->name, shown,
				 r == PARSE_TOO_BIG ? "out of range"
				 : (s->flags & AS_SET_BYTES) ? "not a size" : "not a number", acc);
			return -1;
		} else if (n < s->min || n > s->max) {
			snprintf(msg, msglen, "%s=%s is out of range (accepted: %s)",
				 s->name, shown, acc);
			return -1;
		}
		if (s->flags & AS_SET_PAGE_ROUND)
			n = page_round(n);
		store_number(out, s, n);
		return 0;
	case AS_SET_CHOICE:
		n = s->dflt;
		if (v && (r = parse_choice(s->choices, v)) < 0) {
			snprintf(msg, msglen, "%s=%s is not accepted (accepted: %s)",
				 s->name, shown, acc);
			return -1;
		} else if (v) {
			n = (unsigned long long)r;
		}
		store_number(out, s, n);
		return 0;
	case AS_SET_SIGNAL:
		n = s->dflt;
		if (v && !(n = (unsigned long long)as__dump_signal_parse(v))) {
			snprintf(msg, msglen, "%s=%s is not accepted (accepted: %s)",
				 s->name, shown, acc);
			return -1;
		}
		store_number(out, s, n);
		return 0;
	case AS_SET_TEXT:
		/* The environment string lives as long as the process: glibc's
		 * setenv/unsetenv never free a value once handed out. */
		memcpy((char *)out + s->offset, &v, sizeof(v));
		return 0;
	}
	return 0;
}

int as__settings_parse(struct as_settings *out, bool secure, char *msg, size_t msglen)
{
	char ignored[256] = "";

	memset(out, 0, sizeof(*out));
	msg[0] = '\0';
	for (size_t i = 0; i < as__setting_count; i++) {
		const struct as_setting *s = &as__setting_table[i];
		const char *v = getenv(s->name);

		/* An empty value means unset, as `VAR= prog` is how shells unset. */
		if (v && !*v)
			v = NULL;
		if (v && secure && (s->flags & AS_SET_SELECTS_CODE)) {
			size_t l = strlen(ignored);
			snprintf(ignored + l, sizeof(ignored) - l, "%s%s", l ? ", " : "", s->name);
			v = NULL;
		}
		if (parse_row(out, s, v, msg, msglen) < 0)
			return -1;
	}
	if (ignored[0])
		snprintf(msg, msglen, "secure execution (AT_SECURE): ignoring %s, "
			 "as ld.so ignores LD_PRELOAD", ignored);
	return 0;
}

void as__settings_load(struct as_settings *out, bool secure)
{
	char msg[512];

	if (as__settings_parse(out, secure, msg, sizeof(msg)) < 0) {
		as__say("%s", msg);
		exit(2);
	}
	if (msg[0])
		as__say("%s", msg);
}

/* ---- ASYNC_STD_VERBOSE=2: what each setting came to ------------------------- */

static unsigned long long load_number(const struct as_settings *st, const struct as_setting *s)
{
	const char *src = (const char *)st + s->offset;

	switch (s->size) {
	case 1: { uint8_t x; memcpy(&x, src, 1); return x; }
	case 2: { uint16_t x; memcpy(&x, src, 2); return x; }
	case 4: { uint32_t x; memcpy(&x, src, 4); return x; }
	default: { uint64_t x; memcpy(&x, src, 8); return x; }
	}
}

/* The word at index i of "a|b|c" into buf. */
static void fmt_choice(char *buf, size_t len, const char *choices, unsigned long long i)
{
	const char *p = choices;

	for (; i && p; i--) {
		p = strchr(p, '|');
		p = p ? p + 1 : NULL;
	}
	if (!p) {
		snprintf(buf, len, "?");
		return;
	}
	const char *bar = strchr(p, '|');
	snprintf(buf, len, "%.*s", (int)(bar ? (size_t)(bar - p) : strlen(p)), p);
}

void as__settings_explain(char *buf, size_t len, const struct as_settings *st, size_t row,
			  bool secure)
{
	const struct as_setting *s = &as__setting_table[row];
	const char *env = getenv(s->name);
	bool set = env && *env;
	bool ignored = set && secure && (s->flags & AS_SET_SELECTS_CODE);
	char val[96];
	unsigned long long n = 0;
	const char *text = NULL;

	if (s->kind == AS_SET_TEXT)
		memcpy(&text, (const char *)st + s->offset, sizeof(text));
	else
		n = load_number(st, s);
	switch (s->kind) {
	case AS_SET_NUMBER:
		if (s->flags & AS_SET_BYTES)
			fmt_bytes(val, sizeof(val), n);
		else
			snprintf(val, sizeof(val), "%llu", n);
		break;
	case AS_SET_CHOICE:
		fmt_choice(val, sizeof(val), s->choices, n);
		break;
	case AS_SET_SIGNAL:
		if (!n)
			snprintf(val, sizeof(val), "none");
		else if (sigabbrev_np((int)n))
			snprintf(val, sizeof(val), "SIG%s", sigabbrev_np((int)n));
		else
			snprintf(val, sizeof(val), "SIGRTMIN+%d", (int)n - SIGRTMIN);
		break;
	case AS_SET_TEXT:
		as__settings_shown(val, sizeof(val), text ? text : "");
		break;
	}
	if (s->kind == AS_SET_TEXT && !text)
		snprintf(buf, len, "%s unset (%s%s)", s->name,
			 ignored ? "ignored under secure execution; default: " : "default: ",
			 s->dflt_doc);
	else
		snprintf(buf, len, "%s=%s (%s)", s->name, val,
			 set && !ignored ? "from the environment" : "default");
}

void as__settings_report(const struct as_settings *st, bool secure)
{
	char line[256];

	for (size_t i = 0; i < as__setting_count; i++) {
		as__settings_explain(line, sizeof(line), st, i, secure);
		as__say("%s", line);
	}
}

static struct as_settings settings;
static pthread_once_t settings_once = PTHREAD_ONCE_INIT;

static void settings_init(void)
{
	as__settings_load(&settings, getauxval(AT_SECURE) != 0);
}

const struct as_settings *as__settings(void)
{
	pthread_once(&settings_once, settings_init);
	return &settings;
}

void as__settings_doc(FILE *f)
{
	char acc[96];

	for (size_t i = 0; i < as__setting_count; i++) {
		const struct as_setting *s = &as__setting_table[i];
		fmt_accepted(acc, sizeof(acc), s);
		fprintf(f, "%-22s %s; default %s. %s.%s\n", s->name, acc, s->dflt_doc, s->doc,
			(s->flags & AS_SET_SELECTS_CODE) ? " Ignored under secure execution." : "");
	}
}

/*
 * The shim's constructor.  It lives here, not in binding.c, because every
 * link that uses a runtime pulls this object in; it stays tiny (no threads,
 * no large allocations) as constructors run before the program is ready.
 */
extern bool as__bound; /* runtimes/core/xrt.c */

__attribute__((constructor)) static void as__shim_init(int argc, char **argv, char **envp)
{
	(void)argc, (void)envp; /* glibc passes main's arguments to constructors */
	as__settings();
	/* The bound runtime takes tag 0 in the process's table of runtimes
	 * (runtimes/core/xrt.c); another one loaded beside it registers as a
	 * secondary on its first use. */
#ifdef AS_SECONDARY
	/* libgcd-secondary.a: linked statically beside the bound runtime,
	 * whose shim checks the binding; this copy's symbols are local. */
	(void)argv;
	as__bound = false;
#else
	as__bound = as__binding_check(argv);
	if (as__bound)
		as__dump_signal_install();
#endif
}
