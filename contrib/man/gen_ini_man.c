/* gen_ini_man.c - writes xmpp-gw.ini(5) to stdout from the option tables
 * the binary validates with (the core's sections and every backend's), so
 * that the page cannot drift from the code. Built and run by make. */
#include <stdio.h>
#include <string.h>

#include "conf.h"

/* Text for a roff body line: backslashes doubled, a leading '.' or '\''
 * guarded, hyphens kept as the minus sign they are in keys and values. */
static void roff(FILE *f, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

struct state {
	FILE *f;
	const char *section;
};

static const char *type_name(enum gw_opt_type t)
{
	return t == GW_OPT_INT ? "integer" : t == GW_OPT_BOOL ? "boolean" : "string";
}

static void option(const char *section, const char *about, const struct gw_option *o, void *ud)
{
	struct state *st = ud;
	FILE *f = st->f;
	if (!st->section || strcmp(st->section, section)) {
		st->section = section;
		fprintf(f, ".SS [%s]\n", section);
		if (about) {
			roff(f, about);
			fputs(": a backend, run when the section is present. Besides the keys below it has "
			      "\\fBjid\\fR, \\fBsecret\\fR and \\fBport\\fR (see BACKEND SECTIONS).\n", f);
		}
	}
	fprintf(f, ".TP\n.B %s\n", o->key);
	fprintf(f, "%s", type_name(o->type));
	if (o->type == GW_OPT_INT && (o->min || o->max))
		fprintf(f, ", %lld\\(en%lld", (long long)o->min, (long long)o->max);
	if (o->secret)
		fputs(", a secret: \\-\\-check\\-config shows only whether it is set, and it is never "
		      "logged", f);
	fputs("; default: ", f);
	if (o->deflt && *o->deflt) {
		fputs("\\fB", f);
		roff(f, o->deflt);
		fputs("\\fR", f);
	} else {
		fputs("empty", f);
	}
	fputs(".\n.br\n", f);
	roff(f, o->help ? o->help : "");
	fputs(".\n", f);
}

int main(int argc, char **argv)
{
	const char *version = argc > 1 ? argv[1] : "";
	FILE *f = stdout;
	fprintf(f, ".\\\" Generated from the option tables by gen_ini_man; do not edit.\n");
	fprintf(f, ".TH XMPP\\-GW.INI 5 \"\" \"xmpp\\-gw %s\" \"File Formats\"\n", version);
	fputs(".SH NAME\nxmpp\\-gw.ini \\- configuration file of xmpp\\-gw\n"
	      ".SH SYNOPSIS\n.I /etc/xmpp\\-gw/xmpp\\-gw.ini\n"
	      ".SH DESCRIPTION\n"
	      "The configuration of\n.BR xmpp\\-gw (8)\n"
	      "is an INI file: sections in brackets, then \\fIkey\\fR = \\fIvalue\\fR lines; "
	      "lines starting with # are comments. Unknown sections and keys are errors, so that a "
	      "typo never changes behaviour silently. Booleans are \\fBtrue\\fR or \\fBfalse\\fR. "
	      "A backend runs when its section is present.\n"
	      ".PP\n"
	      "\\fBSIGHUP\\fR reloads the [policy] section and the log level; everything else "
	      "needs a restart. "
	      "\\fBxmpp\\-gw \\-\\-check\\-config \\-c\\fR \\fIFILE\\fR validates a file and prints "
	      "what would run, secrets hidden.\n"
	      ".SH BACKEND SECTIONS\n"
	      "Every backend section has these keys besides its own:\n"
	      ".TP\n.B jid\nrequired.\n.br\nThe backend's component domain, as declared in the "
	      "XMPP server.\n"
	      ".TP\n.B secret\nrequired, a secret.\n.br\nThe component secret, as declared in the "
	      "XMPP server.\n"
	      ".TP\n.B port\ninteger, 1\\(en65535; default: the [xmpp] port.\n.br\n"
	      "The XMPP server's component port for this backend (with ejabberd, give each backend "
	      "a listener of its own).\n"
	      ".SH SECTIONS\n", f);
	struct state st = { .f = f };
	conf_foreach_option(option, &st);
	fputs(".SH FILES\n.TP\n.I /etc/xmpp\\-gw/xmpp\\-gw.ini\nthe configuration\n"
	      ".TP\n.I /var/lib/xmpp\\-gw/xmpp\\-gw.sqlite\n"
	      "the store (the default [store] path), mode 0600\n"
	      ".SH SEE ALSO\n.BR xmpp\\-gw (8)\n", f);
	return ferror(f) ? 1 : 0;
}
