package dev.moryflow.shell.internal;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dev.moryflow.provider.Diagnosis;
import dev.moryflow.provider.ProviderDoctor;

/**
 * The Gogo commands {@code moryflow:test <provider> [model]} and {@code moryflow:doctor <provider>}: run the
 * doctor and print its report. Present only while a {@link ProviderDoctor} is (the doctor bundle).
 */
@Component(service = DoctorCommands.class, property = {
        "osgi.command.scope=moryflow",
        "osgi.command.function=test",
        "osgi.command.function=doctor" })
public class DoctorCommands {

    private final ProviderDoctor doctor;

    @Activate
    public DoctorCommands(@Reference ProviderDoctor doctor) {
        this.doctor = doctor;
    }

    @Descriptor("test a provider with its first model: a short chat, whole and streamed, checked step by step")
    public void test(@Descriptor("the provider id, as listed by moryflow:providers") String provider) {
        test(provider, null);
    }

    @Descriptor("test a model of a provider: a short chat, whole and streamed, checked step by step")
    public void test(@Descriptor("the provider id, as listed by moryflow:providers") String provider,
            @Descriptor("the provider's model id") String model) {
        Diagnosis d = doctor.diagnose(provider, model);
        Printed.print(DiagnosisReport.format(d, false));
    }

    @Descriptor("diagnose a provider: Base URL, connection, key, model, response format, test message and security, "
            + "with the cause and the fix of each problem")
    public void doctor(@Descriptor("the provider id, as listed by moryflow:providers") String provider) {
        Diagnosis d = doctor.diagnose(provider, null);
        Printed.print(DiagnosisReport.format(d, true));
    }
}
