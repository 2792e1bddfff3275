package dev.sreagent.testkit.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The emulator's SigV4 verifier against AWS's published test suite example {@code get-vanilla} (credentials
 * {@code AKIDEXAMPLE}, 2015-08-30T12:36:00Z, us-east-1, service {@code service}), and the refusals around it.
 */
class SigV4Test {
  private static final Map<String, String> SECRETS =
      Map.of("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  private static final Instant AT = Instant.parse("2015-08-30T12:36:00Z");
  private static final String AUTH = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
      + " SignedHeaders=host;x-amz-date,"
      + " Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

  private static SigV4.Verdict verify(String auth, String region, Instant now, byte[] body) {
    return SigV4.verify("GET", "/", null, Map.of("Host", "example.amazonaws.com", "X-Amz-Date", "20150830T123600Z",
        "Authorization", auth), body, SECRETS, region, null, now);
  }

  @Test
  void awsPublishedExampleVerifies() {
    SigV4.Verdict v = verify(AUTH, "us-east-1", AT.plusSeconds(60), new byte[0]);
    assertThat(v.valid()).as(v.message()).isTrue();
    assertThat(v.credential().orElseThrow().service()).isEqualTo("service");
  }

  @Test
  void aChangedSignatureBodyRegionKeyOrTimeIsRefused() {
    assertThat(verify(AUTH.replace("5fa00", "5fa01"), "us-east-1", AT, new byte[0]).errorCode())
        .isEqualTo("InvalidSignatureException");
    assertThat(verify(AUTH, "us-east-1", AT, new byte[] {'x'}).errorCode()).isEqualTo("InvalidSignatureException");
    assertThat(verify(AUTH, "eu-west-1", AT, new byte[0]).errorCode()).isEqualTo("InvalidSignatureException");
    assertThat(verify(AUTH.replace("AKIDEXAMPLE", "AKIDOTHER"), "us-east-1", AT, new byte[0]).errorCode())
        .isEqualTo("UnrecognizedClientException");
    SigV4.Verdict late = verify(AUTH, "us-east-1", AT.plusSeconds(301), new byte[0]);
    assertThat(late.errorCode()).isEqualTo("InvalidSignatureException");
    assertThat(late.message()).contains("Signature expired");
    assertThat(verify(AUTH, "us-east-1", AT.minusSeconds(299), new byte[0]).valid()).isTrue();
    assertThat(verify("", "us-east-1", AT, new byte[0]).errorCode()).isEqualTo("MissingAuthenticationTokenException");
    assertThat(verify(AUTH.replace("host;x-amz-date", "x-amz-date"), "us-east-1", AT, new byte[0]).message())
        .contains("'Host' must be a signed header");
  }
}
