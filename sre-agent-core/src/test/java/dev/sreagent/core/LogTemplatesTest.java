package dev.sreagent.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sreagent.core.evidence.LogTemplates;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class LogTemplatesTest {
  @Test
  void thousandsOfLinesCollapseToTheirTemplates() {
    LogTemplates t = new LogTemplates();
    Random rng = new Random(1);
    for (int i = 0; i < 3_000; i++) {
      switch (i % 3) {
        case 0 -> t.add("POST /api/payments failed: java.lang.NullPointerException at PaymentsHandler.handle("
            + "PaymentsHandler.java:" + (100 + rng.nextInt(5)) + ") revision=r3 request_id="
            + new java.util.UUID(rng.nextLong(), rng.nextLong()));
        case 1 -> t.add("slow request GET /api/cart took " + (500 + rng.nextInt(3000)) + " ms (threshold 500 ms)"
            + " trace_id=" + Long.toHexString(rng.nextLong() | Long.MIN_VALUE));
        default -> t.add("GC overhead " + rng.nextInt(40) + "% in the last minute, heap " + (80 + rng.nextInt(20))
            + "% of 512 MiB used");
      }
    }
    assertThat(t.lines()).isEqualTo(3_000);
    assertThat(t.templates()).hasSize(3).allSatisfy(x -> assertThat(x.count()).isEqualTo(1_000));
    assertThat(t.templates()).extracting(LogTemplates.Template::pattern).contains(
        "slow request GET /api/cart took <*> ms (threshold <*> ms) trace_id=<*>",
        "GC overhead <*> in the last minute, heap <*> of <*> MiB used");
  }

  @Property(tries = 300)
  void theTemplateCountIsBoundedWhateverArrives(@ForAll @Size(max = 400) java.util.List<String> lines) {
    LogTemplates t = new LogTemplates(0.5, 20);
    lines.forEach(t::add);
    assertThat(t.templates().size()).isLessThanOrEqualTo(21);
    assertThat(t.templates().stream().mapToLong(LogTemplates.Template::count).sum()).isEqualTo(lines.size());
  }
}
