// Tests of the apiserver against a real store on loopback.
