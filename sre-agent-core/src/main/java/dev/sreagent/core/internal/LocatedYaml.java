package dev.sreagent.core.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A YAML document as a tree whose every node remembers its line, so validation errors can point at it. */
public final class LocatedYaml {
  private LocatedYaml() {}

  /** A node with its 1-based line. */
  public sealed interface Node permits Scalar, Mapping, Sequence {
    int line();
  }

  /** A scalar (string form), or null for YAML null. */
  public record Scalar(@Nullable String value, int line) implements Node {}

  /** A mapping; keys in document order, each with its own line. */
  public record Mapping(Map<String, Node> fields, Map<String, Integer> keyLines, int line) implements Node {}

  /** A sequence. */
  public record Sequence(List<Node> items, int line) implements Node {}

  /** Thrown for YAML that does not parse; carries the line. */
  public static final class SyntaxError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int line;

    SyntaxError(String message, int line) {
      super(message);
      this.line = line;
    }

    public int line() {
      return line;
    }
  }

  /**
   * Parses {@code text}; an empty document is an empty mapping. A key given twice in one mapping and a second
   * document ({@code ---}) are syntax errors: a YAML parser would keep one value, or one document, without a word.
   */
  public static Node parse(String text) throws SyntaxError {
    org.yaml.snakeyaml.LoaderOptions options = new org.yaml.snakeyaml.LoaderOptions();
    // the text is in memory already: the parser's default limit of 3 MB refused a graph of 100,000 edges
    options.setCodePointLimit(Math.max(options.getCodePointLimit(), text.length() + 1));
    try (JsonParser p = YAMLFactory.builder().loaderOptions(options).build().createParser(text)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        return new Mapping(Map.of(), Map.of(), 1);
      }
      Node root = read(p, t);
      if (p.nextToken() != null) {
        throw new SyntaxError("a second document (after ---); keep one document per file",
            p.currentTokenLocation().getLineNr());
      }
      return root;
    } catch (JsonProcessingException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new SyntaxError(e.getOriginalMessage(), line);
    } catch (IOException e) {
      throw new SyntaxError(e.getMessage() == null ? e.toString() : e.getMessage(), 0);
    }
  }

  private static Node read(JsonParser p, JsonToken t) throws IOException, SyntaxError {
    int line = p.currentTokenLocation().getLineNr();
    if (t == JsonToken.START_OBJECT) {
      Map<String, Node> fields = new LinkedHashMap<>();
      Map<String, Integer> keyLines = new LinkedHashMap<>();
      JsonToken k;
      while ((k = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        int keyLine = p.currentTokenLocation().getLineNr();
        if (keyLines.containsKey(name)) {
          throw new SyntaxError("the key '" + name + "' is given twice in one mapping (first on line "
              + keyLines.get(name) + "); keep one", keyLine);
        }
        keyLines.put(name, keyLine);
        fields.put(name, read(p, p.nextToken()));
      }
      return new Mapping(fields, keyLines, line);
    }
    if (t == JsonToken.START_ARRAY) {
      List<Node> items = new ArrayList<>();
      JsonToken i;
      while ((i = p.nextToken()) != JsonToken.END_ARRAY && i != null) {
        items.add(read(p, i));
      }
      return new Sequence(items, line);
    }
    return new Scalar(t == JsonToken.VALUE_NULL ? null : p.getText(), line);
  }
}
