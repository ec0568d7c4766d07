package dev.moryflow.gateway.internal;

import static org.junit.Assert.assertEquals;

import java.util.List;

import org.junit.Test;

public class ExposureWarningTest {

    @Test
    public void onlyAddressesBeyondLoopbackCount() {
        assertEquals(List.of(), ExposureWarning.beyondThisMachine("http://127.0.0.1:8080/"));
        assertEquals(List.of(), ExposureWarning.beyondThisMachine(new String[] { "http://localhost:8080/",
                "http://[::1]:8080/", "http://127.0.1.1:8080/" }));
        assertEquals(List.of("http://192.168.1.20:8080/", "http://[fe80::1]:8080/"), ExposureWarning.beyondThisMachine(
                new String[] { "http://127.0.0.1:8080/", "http://192.168.1.20:8080/", "http://[fe80::1]:8080/" }));
        assertEquals(List.of("http://myhost.example:9090/"), ExposureWarning.beyondThisMachine(
                List.of("http://myhost.example:9090/")));
    }

    @Test
    public void nothingOrSomethingElseIsNoEndpoint() {
        assertEquals(List.of(), ExposureWarning.beyondThisMachine(null));
        assertEquals(List.of(), ExposureWarning.beyondThisMachine(42));
        assertEquals(List.of(), ExposureWarning.beyondThisMachine(new String[] { "not a url at all", "/relative" }));
    }
}
