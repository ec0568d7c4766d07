package dev.moryflow.shell.internal;

/**
 * The commands print their answer and return nothing, as Karaf's own commands do: a shell that runs one command
 * and does not print what it returns (Karaf's {@code bin/client}, ssh) still shows it, and Felix's Gogo shell,
 * which prints only a value that is returned, shows it once. {@code System.out} inside a command is the session's
 * output in both shells (Gogo redirects it per thread), so the answer also flows into a pipe
 * ({@code moryflow:providers | grep groq}).
 */
final class Printed {

    private Printed() {
    }

    /** Prints the answer (nothing for null) on the command's output. */
    static void print(Object answer) {
        if (answer != null) {
            System.out.print(answer);
            System.out.flush();
        }
    }
}
