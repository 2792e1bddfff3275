package dev.sreagent.aws;

/** An AWS API answered with an error: the HTTP status, AWS's error code and message, and which call it was. */
final class AwsCallException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  final int status;
  final String code;

  AwsCallException(int status, String code, String message, String call) {
    super(call + " answered HTTP " + status + " " + code + (message.isBlank() ? "" : ": " + message));
    this.status = status;
    this.code = code;
  }
}
