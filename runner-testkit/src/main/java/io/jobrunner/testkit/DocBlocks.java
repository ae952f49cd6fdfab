package io.jobrunner.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The commands a page of the docs tells a user to run, for tests that run them as the user would:
 * in the first {@code ```bash} block after a marker comment, the line under each
 * {@code # terminal N} comment.
 */
public final class DocBlocks {

    private DocBlocks() {
    }

    /**
     * @param page   the Markdown file
     * @param marker the comment the block follows, e.g. {@code <!-- local-dev: sqs -->}
     * @throws IllegalStateException when the page has no such marker
     */
    public static List<String> terminalCommands(Path page, String marker) throws IOException {
        String text = Files.readString(page);
        int at = text.indexOf(marker);
        if (at < 0) {
            throw new IllegalStateException(page + " has no block after " + marker);
        }
        int start = text.indexOf("```bash\n", at) + "```bash\n".length();
        String[] lines = text.substring(start, text.indexOf("```", start)).split("\n");
        List<String> commands = new ArrayList<>();
        for (int i = 0; i < lines.length - 1; i++) {
            if (lines[i].startsWith("# terminal")) {
                commands.add(lines[i + 1].trim());
            }
        }
        return commands;
    }
}
