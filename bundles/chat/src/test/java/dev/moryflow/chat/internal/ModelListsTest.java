package dev.moryflow.chat.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Set;

import org.junit.Test;

import dev.moryflow.chat.RemoteModels;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;

public class ModelListsTest {

    @Test
    public void remoteModelsNotRoutableYetAreMissingAndConfiguredOnesNotServedAreGone() {
        RemoteModels r = ModelLists.compare("groq", List.of(ModelInfo.of("a"), ModelInfo.of("b"), ModelInfo.of("c")),
                List.of("a", "old"), Set.of("a", "old", "c"));
        assertEquals(List.of("b"), r.missing());
        assertEquals(List.of("old"), r.gone());
        assertEquals(3, r.remote().size());
    }

    @Test
    public void addingKeepsExistingIdsOnceAndRefusesIdsAListCannotHold() throws Exception {
        assertEquals(List.of("b", "c"), ModelLists.toAdd(List.of("a"), List.of("a", " b ", "c", "b")));
        try {
            ModelLists.toAdd(List.of(), List.of("x,y"));
            fail();
        } catch (ProviderException e) {
            assertEquals(Problem.BAD_REQUEST, e.problem());
        }
    }

    @Test
    public void theModelsValueKeepsTheShapeItHadInTheConfiguration() {
        assertEquals("a, b", ModelLists.sameShape("a", List.of("a", "b")));
        assertArrayEquals(new String[] { "a", "b" }, (String[]) ModelLists.sameShape(new String[] { "a" },
                List.of("a", "b")));
    }
}
