package dev.moryflow.chat.internal;

import java.util.List;
import java.util.stream.Collectors;

import dev.moryflow.chat.RoutedModel;
import dev.moryflow.provider.Capability;
import dev.moryflow.provider.ChatMessage;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ContentPart;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;

/**
 * Refuses, before anything is sent, a request its model cannot take: one that cannot fit the context window, images
 * for a model without {@code vision}, tools for a model without {@code tools}, a chat for a model that does not chat.
 * Only models whose metadata is known are checked; a model known by its id alone is given the benefit of the doubt.
 */
final class Admission {

    /** Characters per token of the estimate: about right for English, generous for code and other languages. */
    static final int CHARS_PER_TOKEN = 4;
    /** Tokens each message costs beyond its text (role and separators). */
    static final int TOKENS_PER_MESSAGE = 4;
    /** Tokens counted per image: the smallest an image costs (low detail), so the estimate stays a lower bound. */
    static final int TOKENS_PER_IMAGE = 85;

    private Admission() {
    }

    /**
     * @param request   the request
     * @param target    where it would go
     * @param described whether the target's metadata is known
     * @param all       every routable model, to suggest one that can take the request
     * @throws ProviderException {@code CONTEXT_TOO_LONG} or {@code BAD_REQUEST} naming the limit and the fix
     */
    static void check(ChatRequest request, RoutedModel target, boolean described, List<RoutedModel> all)
            throws ProviderException {
        if (!described) {
            return;
        }
        ModelInfo m = target.model();
        String name = target.qualifiedName();
        if (!m.has(Capability.CHAT)) {
            throw refusal(Problem.BAD_REQUEST, "model " + name + " does not chat (its capabilities: "
                    + tags(m) + ")", Capability.CHAT, all);
        }
        if (request.hasImages() && !m.has(Capability.VISION)) {
            throw refusal(Problem.BAD_REQUEST, "model " + name + " cannot read images (its capabilities: "
                    + tags(m) + "), and the request contains images", Capability.VISION, all);
        }
        if (request.usesTools() && !m.has(Capability.TOOLS)) {
            throw refusal(Problem.BAD_REQUEST, "model " + name + " cannot call tools (its capabilities: "
                    + tags(m) + "), and the request defines tools", Capability.TOOLS, all);
        }
        int window = m.contextWindow();
        if (window == ModelInfo.UNKNOWN) {
            return;
        }
        int prompt = estimatePromptTokens(request);
        Integer output = request.maxTokens();
        long needed = (long) prompt + (output == null ? 0 : output);
        if (needed > window) {
            String ask = output == null ? "about " + prompt + " tokens of prompt"
                    : "about " + prompt + " tokens of prompt plus max_tokens " + output + " = " + needed;
            throw new ProviderException(Problem.CONTEXT_TOO_LONG,
                    "the request needs " + ask + ", more than the context window of " + name + " (" + window
                            + " tokens)",
                    (output != null && prompt < window ? "Lower max_tokens to at most " + (window - prompt) + ", "
                            : "") + "shorten the conversation, or choose a model with a larger context window"
                            + larger(window, all) + ".",
                    0, null, target.providerId(), null);
        }
    }

    /** @return a lower-bound estimate of the prompt's tokens */
    static int estimatePromptTokens(ChatRequest request) {
        long chars = 0;
        long tokens = 0;
        for (ChatMessage msg : request.messages()) {
            tokens += TOKENS_PER_MESSAGE;
            if (msg.content() != null) {
                chars += msg.content().length();
            }
            for (ContentPart p : msg.parts()) {
                if (p.text() != null) {
                    chars += p.text().length();
                } else if (p.url() != null) {
                    tokens += TOKENS_PER_IMAGE;
                }
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, tokens + chars / CHARS_PER_TOKEN);
    }

    private static ProviderException refusal(Problem problem, String message, Capability needed,
            List<RoutedModel> all) {
        List<String> able = all.stream().filter(r -> r.model().has(needed)).map(RoutedModel::qualifiedName)
                .limit(3).collect(Collectors.toList());
        String hint = "Pick a model with the " + needed.tag() + " tag"
                + (able.isEmpty() ? "" : " such as " + String.join(", ", able))
                + ", or, if this model does support it, add " + needed.tag() + " to its capabilities (a "
                + "moryflow.model configuration).";
        return new ProviderException(problem, message, hint);
    }

    private static String larger(int window, List<RoutedModel> all) {
        return all.stream().filter(r -> r.model().contextWindow() > window)
                .sorted((a, b) -> Integer.compare(a.model().contextWindow(), b.model().contextWindow()))
                .map(r -> r.qualifiedName() + " (" + r.model().contextWindow() + ")").limit(2)
                .reduce((a, b) -> a + ", " + b).map(s -> " such as " + s).orElse("");
    }

    private static String tags(ModelInfo m) {
        return m.capabilities().stream().map(Capability::tag).collect(Collectors.joining(", "));
    }
}
