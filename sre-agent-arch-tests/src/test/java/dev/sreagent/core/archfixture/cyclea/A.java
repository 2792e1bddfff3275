package dev.sreagent.core.archfixture.cyclea;

/** Half of a package cycle, to prove the no-cycles rule can fail. */
public final class A {
  public dev.sreagent.core.archfixture.cycleb.B other() {
    return new dev.sreagent.core.archfixture.cycleb.B();
  }
}
