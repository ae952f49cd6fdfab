package io.jobrunner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrintableTest {

    @Test
    void escapeSequencesAndOtherControlCharactersAreShownAsQuestionMarks() {
        String hostile = "fetched 3 rows\u001b]0;owned\u0007\u001b[2J\r done\u009b";
        assertThat(Printable.line(hostile)).isEqualTo("fetched 3 rows?]0;owned??[2J? done?");
        assertThat(Printable.line("two\nlines\ttabbed")).isEqualTo("two lines\ttabbed");
        assertThat(Printable.lines("java.io.IOException: boom\n\tat Foo.bar\u001b[31m")).isEqualTo(
                "java.io.IOException: boom\n\tat Foo.bar?[31m");
        assertThat(Printable.line("plain text, unchanged")).isEqualTo("plain text, unchanged");
        assertThat(Printable.line(null)).isNull();
    }

    @Test
    void tableCellsAreStrippedToo() {
        assertThat(Table.oneLine("a\u001b[2Jb")).isEqualTo("a?[2Jb");
    }
}
