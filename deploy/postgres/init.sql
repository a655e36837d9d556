-- One database per service: each service owns its tables and reaches another service's data
-- only through events. The postgres image runs this file once, when its data volume is empty.
CREATE DATABASE intake;
CREATE DATABASE assignment;
CREATE DATABASE progress;
CREATE DATABASE monitoring;
