package dev.moryflow.itests;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;

/** Runs Gogo commands as a console user would, for the tests of classes that install the Gogo runtime. */
final class Gogo {

    private Gogo() {
    }

    /**
     * @param processor the command processor
     * @param command   the command line
     * @param input     what the user types (the session's keyboard)
     * @return everything the command printed, and its result formatted as the console shows it
     */
    static String run(CommandProcessor processor, String command, String input) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(
                new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), ps, ps)) {
            Object result = session.execute(command);
            if (result != null) {
                ps.print(session.format(result, 0));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
