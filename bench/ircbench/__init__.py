"""The IRC benchmark driver's parts; bench/irc_bench.py is the program."""
