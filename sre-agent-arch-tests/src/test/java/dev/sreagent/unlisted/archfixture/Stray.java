package dev.sreagent.unlisted.archfixture;

/** A class in a package neither the domain nor the adapter list names. */
public final class Stray {}
