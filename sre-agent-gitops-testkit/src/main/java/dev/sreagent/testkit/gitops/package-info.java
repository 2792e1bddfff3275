/**
 * Test support for the GitOps rollback ({@code sre-agent-gitops}), documented as emulators: {@link
 * dev.sreagent.testkit.gitops.BareRemote} (a Git server: a bare repository on disk reached through {@code file://}),
 * {@link dev.sreagent.testkit.gitops.GitHostEmulator} (the subsets of GitHub's pull-request and GitLab's
 * merge-request REST APIs the adapters use, on loopback HTTP, merging into the bare repository), {@link dev.sreagent.testkit.gitops.AutoSyncEmulator} (Argo CD's
 * or Flux's automated sync, applying the declared image to the testkit's {@code SimulatedCluster}), the fixture
 * histories of {@link dev.sreagent.testkit.gitops.ConfigRepos}, and {@link dev.sreagent.testkit.gitops.GitOpsPlatform},
 * which wires them into a {@code SimulationHarness} so an agent rolls back through a pull request end to end. Each
 * class says what it emulates and what not. No network but loopback, no {@code git} program.
 */
@NullMarked
package dev.sreagent.testkit.gitops;

import org.jspecify.annotations.NullMarked;
