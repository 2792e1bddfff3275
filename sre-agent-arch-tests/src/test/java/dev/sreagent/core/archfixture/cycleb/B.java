package dev.sreagent.core.archfixture.cycleb;

/** The other half of a package cycle. */
public final class B {
  public dev.sreagent.core.archfixture.cyclea.A other() {
    return new dev.sreagent.core.archfixture.cyclea.A();
  }
}
