package dev.sreagent.k8s.archfixture;

/** Stands for an adapter class in the architecture rule self-test. */
public final class SomeAdapter {}
