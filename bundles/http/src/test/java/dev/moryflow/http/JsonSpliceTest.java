package dev.moryflow.http;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.Test;

public class JsonSpliceTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String model(String json, String value) throws IOException {
        return new String(JsonSplice.replaceTopLevelString(b(json), "model", value), StandardCharsets.UTF_8);
    }

    private static String usage(String json) throws IOException {
        byte[] out = JsonSplice.includeUsage(b(json));
        return out == null ? null : new String(out, StandardCharsets.UTF_8);
    }

    @Test
    public void replacesOnlyTheTopLevelModelAndKeepsEveryOtherByte() throws IOException {
        String in = "{ \"messages\" : [ {\"role\":\"user\",\"content\":\"hi\",\"model\":\"inner\"} ],\n"
                + "  \"model\"  :  \"groq/llama\" , \"temperature\":0.70, \"n\":1E0,"
                + " \"tools\":[{\"function\":{\"model\":\"tool\"}}], \"metadata\":{\"model\":\"m\"} }";
        String expected = in.replace("\"groq/llama\"", "\"llama-3.3-70b\"");
        assertEquals(expected, model(in, "llama-3.3-70b"));
    }

    @Test
    public void replacesAnEscapedModelValueWithAnEscapedOne() throws IOException {
        String in = "{\"model\":\"a\\\"b\\u00e9\",\"x\":\"\\\"model\\\":1\"}";
        assertEquals("{\"model\":\"c\\\"d\\\\é\",\"x\":\"\\\"model\\\":1\"}", model(in, "c\"d\\é"));
    }

    @Test
    public void replacesAModelThatIsNotAString() throws IOException {
        assertEquals("{\"model\":\"m\",\"a\":1}", model("{\"model\":12.50,\"a\":1}", "m"));
        assertEquals("{\"model\":\"m\"}", model("{\"model\":{\"x\":[1]}}", "m"));
    }

    @Test
    public void keepsABodyWithoutModelAsItIs() throws IOException {
        byte[] in = b("{\"id\":\"x\",\"choices\":[{\"model\":\"no\"}]}");
        assertSame(in, JsonSplice.replaceTopLevelString(in, "model", "m"));
    }

    @Test
    public void keepsMultiByteTextAroundTheModel() throws IOException {
        String in = "{\"content\":\"日本語 🙂\",\"model\":\"x\",\"after\":\"ü\"}";
        assertEquals("{\"content\":\"日本語 🙂\",\"model\":\"y\",\"after\":\"ü\"}", model(in, "y"));
    }

    @Test(expected = IOException.class)
    public void refusesWhatIsNotAnObject() throws IOException {
        JsonSplice.replaceTopLevelString(b("[1]"), "model", "m");
    }

    @Test
    public void addsStreamOptionsBeforeTheClosingBraceWhenMissing() throws IOException {
        assertEquals("{\"model\":\"m\", \"stream\": true ,\"stream_options\":{\"include_usage\":true}}\n",
                usage("{\"model\":\"m\", \"stream\": true }\n"));
    }

    @Test
    public void setsIncludeUsageFalseToTrueAndNothingElse() throws IOException {
        assertEquals("{\"stream_options\": {\"x\":1, \"include_usage\" : true }, \"model\":\"m\"}",
                usage("{\"stream_options\": {\"x\":1, \"include_usage\" : false }, \"model\":\"m\"}"));
    }

    @Test
    public void addsIncludeUsageToStreamOptionsThatLackIt() throws IOException {
        assertEquals("{\"stream_options\":{\"include_usage\":true,\"continuous_usage_stats\":false}}",
                usage("{\"stream_options\":{\"continuous_usage_stats\":false}}"));
        assertEquals("{\"stream_options\":{\"include_usage\":true}}", usage("{\"stream_options\":{}}"));
        assertEquals("{\"stream_options\":{\"include_usage\":true}}", usage("{\"stream_options\":null}"));
    }

    @Test
    public void changesNothingWhenUsageIsAlreadyAskedFor() throws IOException {
        assertNull(usage("{\"stream_options\":{\"include_usage\":true},\"model\":\"m\"}"));
    }

    @Test
    public void ignoresANestedStreamOptions() throws IOException {
        assertEquals("{\"metadata\":{\"stream_options\":{\"include_usage\":false}},"
                + "\"stream_options\":{\"include_usage\":true}}",
                usage("{\"metadata\":{\"stream_options\":{\"include_usage\":false}}}"));
    }
}
