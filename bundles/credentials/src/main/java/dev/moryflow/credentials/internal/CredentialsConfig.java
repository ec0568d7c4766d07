package dev.moryflow.credentials.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration {@code moryflow.credentials}: where the encrypted store lives and when keys count as old. */
@ObjectClassDefinition(name = "MoryFlow Credentials",
        description = "The local, encrypted store of API keys and the gateway token. Keys entered in a provider's "
                + "configuration are moved here and removed from the configuration.")
public @interface CredentialsConfig {

    /** @return the store folder; empty for the default */
    @AttributeDefinition(name = "Directory",
            description = "Folder of the encrypted store (credentials.store) and its master key (master.key). "
                    + "Empty: <moryflow.data.dir>/credentials (the Felix distribution: data/credentials); in Apache Karaf "
                    + "<karaf.data>/moryflow/credentials; else the bundle's own data area. "
                    + "Changing it starts from that folder's files; move the two files along.")
    String directory() default "";

    /** @return age in days from which a key is reported as expiring */
    @AttributeDefinition(name = "Rotation warning (days)",
            description = "A key in use this many days or longer is reported (event moryflow/credential/EXPIRING "
                    + "and a warning in the log) at start and once a day. 0 turns the warning off.", min = "0")
    int rotationWarningDays() default 90;
}
