package dev.sreagent.gitops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sreagent.api.model.Action;
import dev.sreagent.api.model.ActionResult;
import dev.sreagent.api.model.Anomaly;
import dev.sreagent.api.model.Confidence;
import dev.sreagent.api.model.Diagnosis;
import dev.sreagent.api.model.ExecutionContext;
import dev.sreagent.api.model.Hypothesis;
import dev.sreagent.api.model.Incident;
import dev.sreagent.api.model.IncidentType;
import dev.sreagent.api.model.RemediationPlan;
import dev.sreagent.api.model.Severity;
import dev.sreagent.api.port.Clock;
import dev.sreagent.api.port.IncidentStore;
import dev.sreagent.testkit.gitops.BareRemote;
import dev.sreagent.testkit.gitops.ConfigRepos;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The executor against real JGit repositories: a bare repository on disk as the remote, reached by {@code file://}. */
class GitRollbackExecutorTest {
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final Action.RollBack ROLLBACK = new Action.RollBack("cart", "7", "6");
  static final String PREFIX = GitRollbackExecutor.DEFAULT_BRANCH_PREFIX;

  @TempDir
  Path tmp;
  BareRemote remote;

  @BeforeEach
  void remote() throws Exception {
    remote = BareRemote.create(tmp.resolve("config.git"));
  }

  @AfterEach
  void close() {
    remote.close();
  }

  GitRollbackExecutor.Builder executor(String workDir) {
    return GitRollbackExecutor.builder().setRemote(remote.uri()).setWorkDirectory(tmp.resolve(workDir))
        .setImages(RollbackImages.fixed(ConfigRepos.CART)).setClock(Clock.fixed(NOW))
        .setAuthor(new CommitAuthor("sre-agent (prod)", "sre-agent@shop.example"));
  }

  static ExecutionContext context(String key, long token, boolean dryRun) {
    return new ExecutionContext("inc-42", key, token, dryRun);
  }

  @Test
  void kustomizeOverlayRollbackPushesOneBranchWhoseDiffIsTheTagLine() throws Exception {
    ConfigRepos.History history = ConfigRepos.kustomize(remote);
    IncidentStore incidents = store(incident());
    ActionResult r = executor("work").setIncidents(incidents).build().execute(ROLLBACK, context("key-0001", 7,
        false));

    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    Map<String, String> branches = remote.branches(PREFIX);
    assertThat(branches).hasSize(1);
    String branch = branches.keySet().iterator().next();
    assertThat(branch).isEqualTo(PREFIX + "inc-42-" + RollbackCommits.keyTag("key-0001"));
    assertThat(remote.changedPaths("main", branch)).containsExactly("overlays/prod/kustomization.yaml");
    String before = remote.file("main", "overlays/prod/kustomization.yaml").orElseThrow();
    String after = remote.file(branch, "overlays/prod/kustomization.yaml").orElseThrow();
    // exactly the healthy value, quoted as it was at the healthy commit; the comment after it and the rest untouched
    assertThat(after).isEqualTo(ConfigRepos.prodOverlay("\"1.2.0\"", "4.2.0"));
    assertThat(ImageEdit.changedLines(before, after)).containsExactly(11);
    assertThat(before.lines().toList().get(10)).isEqualTo("    newTag: 1.3.0   # cart");
    assertThat(after.lines().toList().get(10)).isEqualTo("    newTag: \"1.2.0\"   # cart");

    RevCommit commit = remote.head(branch);
    assertThat(commit.getParent(0).getId()).isEqualTo(history.bad());
    assertThat(commit.getAuthorIdent().getName()).isEqualTo("sre-agent (prod)");
    assertThat(commit.getAuthorIdent().getEmailAddress()).isEqualTo("sre-agent@shop.example");
    assertThat(commit.getAuthorIdent().getWhenAsInstant()).isEqualTo(NOW);
    assertThat(commit.getRawGpgSignature()).isNull();
    String message = commit.getFullMessage();
    String planHash = incident().plan().hash();
    assertThat(message).startsWith("sre-agent: roll back cart to " + ConfigRepos.HEALTHY + " (incident inc-42)\n")
        .contains("Diagnosis: bad deploy of cart 1.3.0 (confidence 0.87, offline)")
        // the newest commit with the healthy image: the unrelated change after the healthy deploy kept it
        .contains("to its value at commit " + history.unrelated().name())
        .contains("undoes the change of commit " + history.bad().name())
        .contains("newTag on line 11: 1.3.0 -> \"1.2.0\"");
    assertThat(commit.getFooterLines(RollbackCommits.KEY)).containsExactly("key-0001");
    assertThat(commit.getFooterLines(RollbackCommits.INCIDENT)).containsExactly("inc-42");
    assertThat(commit.getFooterLines(RollbackCommits.PLAN_HASH)).containsExactly(planHash);
    assertThat(commit.getFooterLines(RollbackCommits.FENCING_TOKEN)).containsExactly("7");
    assertThat(commit.getFooterLines(RollbackCommits.LOCK)).containsExactly("rollback:cart");
    assertThat(r.message()).contains(branch, commit.name(), "overlays/prod/kustomization.yaml");
    assertThat(remote.head("main").getId()).isEqualTo(history.bad());  // main itself is never pushed to
  }

  @Test
  void helmValuesRollbackChangesTheTagLineOnly() throws Exception {
    ConfigRepos.helm(remote);
    ActionResult r = executor("work").build().execute(ROLLBACK, context("key-helm", 1, false));

    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    String branch = remote.branches(PREFIX).keySet().iterator().next();
    assertThat(remote.changedPaths("main", branch)).containsExactly("envs/prod/values-cart.yaml");
    String before = remote.file("main", "envs/prod/values-cart.yaml").orElseThrow();
    String after = remote.file(branch, "envs/prod/values-cart.yaml").orElseThrow();
    assertThat(ImageEdit.changedLines(before, after)).containsExactly(4);
    assertThat(after).isEqualTo(before.replace("tag: 1.3.0", "tag: 1.2.0"));
    assertThat(remote.head(branch).getFullMessage()).contains("Diagnosis: not recorded (no incident store configured)")
        .contains("Plan hash: unknown");
  }

  @Test
  void plainManifestRollbackChangesTheContainersImageOnly() throws Exception {
    ConfigRepos.plain(remote);
    ActionResult r = executor("work").build().execute(ROLLBACK, context("key-plain", 1, false));

    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    String branch = remote.branches(PREFIX).keySet().iterator().next();
    assertThat(remote.file(branch, "apps/cart/cart.yaml")).contains(ConfigRepos.manifest(ConfigRepos.HEALTHY));
    assertThat(ImageEdit.changedLines(remote.file("main", "apps/cart/cart.yaml").orElseThrow(),
        remote.file(branch, "apps/cart/cart.yaml").orElseThrow())).containsExactly(22);
  }

  @Test
  void dryRunReportsTheEditAndPushesNothing() throws Exception {
    ConfigRepos.kustomize(remote);
    Map<String, String> refs = remote.refs();
    ActionResult r = executor("work").build().execute(ROLLBACK, context("key-dry", 1, true));

    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.DRY_RUN);
    assertThat(r.message()).contains("would push branch " + PREFIX + "inc-42-", "overlays/prod/kustomization.yaml",
        "newTag on line 11: 1.3.0 -> \"1.2.0\"", "nothing committed or pushed");
    assertThat(remote.refs()).isEqualTo(refs);
  }

  @Test
  void theSameKeyTwiceCreatesOneBranchAndOneCommit() throws Exception {
    ConfigRepos.kustomize(remote);
    GitRollbackExecutor executor = executor("work").build();
    assertThat(executor.reconcile("key-once")).isEmpty();
    ActionResult first = executor.execute(ROLLBACK, context("key-once", 3, false));
    Map<String, String> refs = remote.refs();

    ActionResult again = executor.execute(ROLLBACK, context("key-once", 3, false));
    // a restarted agent: a new executor with an empty work directory
    ActionResult afterRestart = executor("work-after-restart").build().execute(ROLLBACK, context("key-once", 3,
        false));

    assertThat(first.status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(again.status()).as(again.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(again.message()).contains("already pushed under key key-once", "nothing pushed again");
    assertThat(afterRestart.status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(afterRestart.message()).contains("already pushed");
    assertThat(remote.refs()).isEqualTo(refs);
    assertThat(remote.branches(PREFIX)).hasSize(1);

    Optional<ActionResult> reconciled = executor("work-reconcile").build().reconcile("key-once");
    assertThat(reconciled).hasValueSatisfying(x -> {
      assertThat(x.status()).isEqualTo(ActionResult.Status.SUCCEEDED);
      assertThat(x.message()).contains("took effect", PREFIX + "inc-42-");
    });
    assertThat(executor.reconcile("another-key")).isEmpty();
  }

  @Test
  void aMergedRollbackIsFoundOnTheBaseBranch() throws Exception {
    ConfigRepos.kustomize(remote);
    executor("work").build().execute(ROLLBACK, context("key-merged", 3, false));
    String branch = remote.branches(PREFIX).keySet().iterator().next();
    // the reviewer merges (fast-forward) and deletes the branch
    var repo = remote.repository();
    var main = repo.updateRef("refs/heads/main");
    main.setNewObjectId(remote.head(branch));
    main.update();
    var delete = repo.updateRef("refs/heads/" + branch);
    delete.setForceUpdate(true);
    delete.delete();

    Optional<ActionResult> reconciled = executor("work").build().reconcile("key-merged");
    assertThat(reconciled).hasValueSatisfying(x -> assertThat(x.message()).contains("on branch main", "(merged)"));
    ActionResult again = executor("work").build().execute(ROLLBACK, context("key-merged", 3, false));
    assertThat(again.status()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(remote.branches(PREFIX)).isEmpty();
  }

  @Test
  void twoDeclarationsOfTheBadImageAreRefusedNamingBoth() throws Exception {
    ConfigRepos.kustomize(remote);
    remote.commit("staging on 1.3.0 too", Map.of("overlays/staging/kustomization.yaml",
        ConfigRepos.prodOverlay("1.3.0", "4.2.0").replace("namespace: shop", "namespace: shop-staging")));
    Map<String, String> refs = remote.refs();

    ActionResult r = executor("work").build().execute(ROLLBACK, context("key-amb", 1, false));

    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("ambiguous: 2 declarations of " + ConfigRepos.BAD,
        "overlays/prod/kustomization.yaml", "overlays/staging/kustomization.yaml", "setSearchPaths");
    assertThat(remote.refs()).isEqualTo(refs);

    ActionResult narrowed = executor("work").setSearchPaths(List.of("overlays/prod")).build()
        .execute(ROLLBACK, context("key-amb", 1, false));
    assertThat(narrowed.status()).as(narrowed.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
  }

  @Test
  void noCommitWithTheHealthyImageIsRefused() throws Exception {
    ConfigRepos.kustomize(remote);
    Map<String, String> refs = remote.refs();
    ImageRollback neverDeployed = new ImageRollback("shop", "cart", null, ConfigRepos.BAD,
        ConfigRepos.REPO + ":1.1.9");

    ActionResult r = executor("work").setImages(RollbackImages.fixed(neverDeployed)).build()
        .execute(ROLLBACK, context("key-nohealthy", 1, false));

    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("no commit of branch main declares the healthy image " + ConfigRepos.REPO
        + ":1.1.9", "images[name=" + ConfigRepos.REPO + "]", "does not guess");
    assertThat(remote.refs()).isEqualTo(refs);
  }

  @Test
  void anImageNoFileDeclaresIsRefused() throws Exception {
    ConfigRepos.kustomize(remote);
    ImageRollback elsewhere = new ImageRollback("shop", "cart", null, ConfigRepos.REPO + ":9.9.9",
        ConfigRepos.HEALTHY);
    ActionResult r = executor("work").setImages(RollbackImages.fixed(elsewhere)).build()
        .execute(ROLLBACK, context("key-none", 1, false));
    assertThat(r.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(r.message()).contains("no file in branch main", "declares " + ConfigRepos.REPO + ":9.9.9");
  }

  @Test
  void aBaseBranchThatIsHealthyAlreadyStandsDown() throws Exception {
    ConfigRepos.kustomize(remote);
    remote.commit("revert by hand", Map.of("overlays/prod/kustomization.yaml",
        ConfigRepos.prodOverlay("1.2.0", "4.2.0")));
    ActionResult r = executor("work").build().execute(ROLLBACK, context("key-done", 1, false));
    assertThat(r.status()).isEqualTo(ActionResult.Status.FAILED);
    assertThat(r.message()).contains("stood down", "already declares the healthy image");
    assertThat(remote.branches(PREFIX)).isEmpty();
  }

  @Test
  void aLowerFencingTokenThanAPushedOneIsRefused() throws Exception {
    ConfigRepos.kustomize(remote);
    assertThat(executor("work").build().execute(ROLLBACK, context("key-new", 10, false)).status())
        .isEqualTo(ActionResult.Status.SUCCEEDED);
    Map<String, String> refs = remote.refs();

    ActionResult stale = executor("work").build().execute(ROLLBACK, context("key-old", 9, false));

    assertThat(stale.status()).isEqualTo(ActionResult.Status.REJECTED);
    assertThat(stale.message()).contains("fencing token 9 is lower than 10", "lock rollback:cart");
    assertThat(remote.refs()).isEqualTo(refs);
  }

  @Test
  void aShallowCloneFetchesTheWholeHistoryWhenTheHealthyCommitLiesDeeper() throws Exception {
    ConfigRepos.History history = ConfigRepos.kustomize(remote);
    for (int i = 0; i < 3; i++) {
      remote.commit("docs " + i, Map.of("docs/" + i + ".md", "x\n"));
    }
    GitRollbackExecutor shallow = executor("work").setCloneDepth(1).build();
    assertThat(shallow.reconcile("key-deep")).isEmpty();  // fetches only
    assertThat(tmp.resolve("work").resolve("shallow")).exists();

    ActionResult r = shallow.execute(ROLLBACK, context("key-deep", 1, false));

    assertThat(r.status()).as(r.message()).isEqualTo(ActionResult.Status.SUCCEEDED);
    assertThat(r.message()).contains("as at commit " + history.unrelated().abbreviate(10).name());
    assertThat(tmp.resolve("work").resolve("shallow")).doesNotExist();
  }

  @Test
  void anUnreachableRemoteIsNamed() {
    ActionResult r = GitRollbackExecutor.builder().setRemote(tmp.resolve("missing.git"))
        .setWorkDirectory(tmp.resolve("work")).setImages(RollbackImages.fixed(ConfigRepos.CART))
        .setClock(Clock.fixed(NOW)).build().execute(ROLLBACK, context("key-x", 1, false));
    assertThat(r.status()).isIn(ActionResult.Status.REJECTED, ActionResult.Status.FAILED);
    assertThat(r.message()).contains("missing.git");
    assertThat(GitRollbackExecutor.builder().setRemote(tmp.resolve("missing.git"))
        .setWorkDirectory(tmp.resolve("work")).setImages(RollbackImages.fixed(ConfigRepos.CART)).build()
        .reconcile("key-x")).hasValueSatisfying(x -> assertThat(x.status()).isEqualTo(ActionResult.Status.TIMED_OUT));
  }

  @Test
  void otherActionsAreNotSupported() {
    GitRollbackExecutor e = executor("work").build();
    Action scale = new Action.ScaleReplicas("cart", 2, 4);
    assertThat(e.supports(scale)).isFalse();
    assertThat(e.supports(ROLLBACK)).isTrue();
    assertThat(e.execute(scale, context("k", 1, false)).status()).isEqualTo(ActionResult.Status.REJECTED);
  }

  @Test
  void theBuilderNamesWhatIsMissingAndWhatIsWrong() {
    assertThatThrownBy(() -> GitRollbackExecutor.builder().build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("setRemote(url)").hasMessageContaining("setWorkDirectory(path)")
        .hasMessageContaining("setImages(RollbackImages)");
    assertThatThrownBy(() -> GitRollbackExecutor.builder().setBaseBranch("bad..name"))
        .hasMessage("baseBranch must be a valid git branch name, but was 'bad..name'");
    assertThatThrownBy(() -> GitRollbackExecutor.builder().setSearchPaths(List.of("../x")))
        .hasMessageContaining("but was '../x'");
    assertThatThrownBy(() -> executor("w").setTokenVariable("GITOPS_TOKEN").setEnvironment(k -> null).build())
        .hasMessageContaining("environment variable GITOPS_TOKEN (setTokenVariable) is not set");
    assertThatThrownBy(() -> new CommitAuthor("a", "nope")).hasMessageContaining("but was 'nope'");
  }

  static Incident incident() {
    Anomaly a = new Anomaly(IncidentType.ERROR_RATE_SPIKE, "cart", "cart", "error_rate", 0.2, 0.02, 0.9,
        Severity.SEV2, NOW, NOW, "error rate 10x baseline");
    Diagnosis d = new Diagnosis(List.of(new Hypothesis("bad deploy of cart 1.3.0", 0.9, "errors began with the"
        + " rollout", List.of())), new Confidence(0.87, Map.of("evidence", 0.9), "strong"), "offline");
    return Incident.open("inc-42", a, "cart", NOW).withDiagnosis(d, NOW)
        .withPlan(new RemediationPlan("inc-42", List.of(ROLLBACK), "roll back"), NOW);
  }

  static IncidentStore store(Incident incident) {
    return new IncidentStore() {
      @Override
      public void save(Incident i) {}

      @Override
      public Optional<Incident> find(String id) {
        return id.equals(incident.id()) ? Optional.of(incident) : Optional.empty();
      }

      @Override
      public List<Incident> all() {
        return List.of(incident);
      }
    };
  }

}
