/* store_schema.h - the migrations of schema/, compiled in by the Makefile. */
#ifndef XMPPGW_STORE_SCHEMA_H
#define XMPPGW_STORE_SCHEMA_H

struct store_migration {
	int version;      /* NNN of schema/NNN-name.sql */
	const char *name; /* "NNN-name" */
	const char *sql;
};

/* In ascending version order, versions 1..count without gaps. */
extern const struct store_migration store_migrations[];
extern const int store_migrations_count;

#endif
