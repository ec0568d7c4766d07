package dev.moryflow.chat.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;

import org.junit.Test;

import dev.moryflow.chat.Route;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;

public class RoutingTableTest {

    private static ProviderEntry entry(long serviceId, String id, int ranking, String... models) {
        FakeProvider p = new FakeProvider(id, models);
        return new ProviderEntry(serviceId, id, id, "openai", null, ranking, p.models, p);
    }

    @Test
    public void qualifiedNamePicksThatProvider() throws Exception {
        RoutingTable t = new RoutingTable(List.of(entry(1, "groq", 0, "llama"), entry(2, "together", 5, "llama")));
        Route r = t.resolve("groq/llama");
        assertEquals("groq", r.target().providerId());
        assertEquals(Route.Kind.QUALIFIED, r.kind());
    }

    @Test
    public void bareIdListedByOneProviderIsUnique() throws Exception {
        RoutingTable t = new RoutingTable(List.of(entry(1, "groq", 0, "mixtral"), entry(2, "together", 0, "llama")));
        Route r = t.resolve("llama");
        assertEquals("together", r.target().providerId());
        assertEquals(Route.Kind.BARE, r.kind());
        assertTrue(r.alternatives().isEmpty());
    }

    @Test
    public void bareIdListedBySeveralGoesToHighestRankingAndNamesTheOthers() throws Exception {
        RoutingTable t = new RoutingTable(List.of(entry(1, "a", 0, "m"), entry(2, "b", 10, "m"), entry(3, "c", 5, "m")));
        Route r = t.resolve("m");
        assertEquals("b", r.target().providerId());
        assertEquals(List.of("c/m", "a/m"), r.alternatives().stream().map(Object::toString)
                .collect(java.util.stream.Collectors.toList()));
    }

    @Test
    public void equalRankingPrefersTheSmallestProviderIdWhateverTheRegistrationOrder() throws Exception {
        RoutingTable zetaFirst = new RoutingTable(List.of(entry(3, "zeta", 0, "m"), entry(7, "alpha", 0, "m")));
        RoutingTable alphaFirst = new RoutingTable(List.of(entry(3, "alpha", 0, "m"), entry(7, "zeta", 0, "m")));
        for (RoutingTable t : List.of(zetaFirst, alphaFirst)) {
            Route r = t.resolve("m");
            assertEquals("alpha", r.target().providerId());
            assertEquals(List.of("zeta/m"), r.alternatives().stream().map(Object::toString)
                    .collect(java.util.stream.Collectors.toList()));
        }
    }

    @Test
    public void rankingDecidesBeforeTheProviderId() throws Exception {
        RoutingTable t = new RoutingTable(List.of(entry(1, "alpha", -1, "m"), entry(2, "zeta", 0, "m"),
                entry(3, "beta", 0, "m")));
        Route r = t.resolve("m");
        assertEquals("beta", r.target().providerId());
        assertEquals(List.of("zeta/m", "alpha/m"), r.alternatives().stream().map(Object::toString)
                .collect(java.util.stream.Collectors.toList()));
    }

    @Test
    public void modelIdsContainingSlashesRouteBareAndQualified() throws Exception {
        RoutingTable t = new RoutingTable(List.of(entry(1, "together", 0, "meta-llama/Llama-3-70b-chat-hf")));
        assertEquals("together", t.resolve("meta-llama/Llama-3-70b-chat-hf").target().providerId());
        Route q = t.resolve("together/meta-llama/Llama-3-70b-chat-hf");
        assertEquals(Route.Kind.QUALIFIED, q.kind());
        assertEquals("meta-llama/Llama-3-70b-chat-hf", q.target().model().id());
    }

    @Test
    public void providerWithoutModelListTakesAnyQualifiedModel() throws Exception {
        RoutingTable t = new RoutingTable(List.of(entry(1, "lmstudio", 0)));
        Route r = t.resolve("lmstudio/qwen2.5-7b-instruct");
        assertEquals("qwen2.5-7b-instruct", r.target().model().id());
    }

    @Test
    public void unknownModelListsCloseMatches() {
        RoutingTable t = new RoutingTable(List.of(entry(1, "groq", 0, "llama-3.1-70b-versatile", "mixtral-8x7b-32768")));
        try {
            t.resolve("llama-3.1-70b-versatle");
            fail("resolved an unknown model");
        } catch (ProviderException e) {
            assertEquals(Problem.MODEL_NOT_FOUND, e.problem());
            assertTrue(e.getMessage(), e.getMessage().contains("llama-3.1-70b-versatle"));
            assertTrue(e.hint(), e.hint().contains("Did you mean: llama-3.1-70b-versatile"));
        }
    }

    @Test
    public void unlistedModelOfAListingProviderIsRefusedWithThatProvidersModels() {
        RoutingTable t = new RoutingTable(List.of(entry(1, "groq", 0, "mixtral-8x7b-32768")));
        try {
            t.resolve("groq/mixtral-8x7b");
            fail("resolved an unlisted model");
        } catch (ProviderException e) {
            assertEquals("groq", e.providerId());
            assertTrue(e.getMessage(), e.getMessage().contains("provider 'groq' does not list model 'mixtral-8x7b'"));
            assertTrue(e.hint(), e.hint().contains("mixtral-8x7b-32768"));
        }
    }

    @Test
    public void duplicateProviderIdKeepsTheHigherRankingAndShadowsTheOther() throws Exception {
        ProviderEntry low = entry(1, "dup", 0, "a");
        ProviderEntry high = entry(2, "dup", 3, "b");
        RoutingTable t = new RoutingTable(List.of(low, high));
        assertEquals(List.of(low), t.shadowed());
        assertEquals("b", t.resolve("dup/b").target().model().id());
        assertEquals(1, t.models().size());
    }

    @Test
    public void emptyTableSaysNoProviderIsConfigured() {
        try {
            RoutingTable.EMPTY.resolve("gpt-4");
            fail();
        } catch (ProviderException e) {
            assertTrue(e.getMessage().contains("no provider is configured"));
            assertTrue(e.hint().contains("deploy/"));
        }
    }

    @Test
    public void modelsAreOrderedByProviderThenModel() {
        RoutingTable t = new RoutingTable(List.of(entry(1, "z", 0, "b", "a"), entry(2, "m", 0, "c")));
        assertEquals(List.of("m/c", "z/a", "z/b"), t.models().stream().map(Object::toString)
                .collect(java.util.stream.Collectors.toList()));
        assertEquals(ModelInfo.of("a"), t.models().get(1).model());
    }
}
